package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class StandardWebhooksVectorsTest {
  private static final JsonNode FILE = Vectors.load("standard-webhooks.json");
  private static final Duration TOLERANCE =
      Duration.ofSeconds(FILE.get("toleranceSeconds").asLong());

  @Test
  void theSpecExampleMatchesOurHmacConstruction() {
    JsonNode spec = FILE.get("specExample");
    byte[] key =
        Base64.getDecoder().decode(spec.get("secret").asText().substring("whsec_".length()));
    String signature =
        StandardWebhooks.signature(
            key,
            spec.get("id").asText(),
            spec.get("timestamp").asLong(),
            spec.get("body").asText().getBytes(StandardCharsets.UTF_8));
    assertThat("v1," + signature)
        .isEqualTo(spec.get("signature").asText())
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void theSpecSecretIsTooShortForAnAppSecret() {
    // 24 bytes: enough for Standard Webhooks, not for HS256, and an app secret serves both.
    assertThatThrownBy(() -> AppSecret.of(FILE.get("specExample").get("secret").asText()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32");
  }

  @TestFactory
  Stream<DynamicTest> signing() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FILE.get("cases")) {
      if (c.path("sign").asBoolean()) {
        tests.add(
            DynamicTest.dynamicTest(
                c.get("name").asText(),
                () ->
                    assertThat(
                            StandardWebhooks.headers(
                                c.get("id").asText(),
                                Vectors.at(c, "timestamp"),
                                Vectors.body(c),
                                Vectors.secrets(c)))
                        .containsExactlyEntriesOf(headers(c))));
      }
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> verification() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FILE.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> verify(c)));
    }
    return tests.stream();
  }

  private static Map<String, String> headers(JsonNode c) {
    Map<String, String> headers = new LinkedHashMap<>();
    c.get("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    return headers;
  }

  private static void verify(JsonNode c) {
    Map<String, String> headers = headers(c);
    // Header names arrive in any case; the verifier asks in lowercase.
    java.util.function.Function<String, String> header =
        name -> headers.get(name.toLowerCase(Locale.ROOT));
    if (Vectors.valid(c)) {
      StandardWebhooks.verify(
          header, Vectors.body(c), Vectors.secrets(c), Vectors.at(c, "now"), TOLERANCE);
    } else {
      assertThatThrownBy(
              () ->
                  StandardWebhooks.verify(
                      header, Vectors.body(c), Vectors.secrets(c), Vectors.at(c, "now"), TOLERANCE))
          .isInstanceOfSatisfying(
              VerificationException.class, e -> assertThat(e.check()).isEqualTo(Vectors.check(c)));
    }
  }
}
