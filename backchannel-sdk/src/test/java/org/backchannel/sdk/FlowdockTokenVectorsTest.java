package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class FlowdockTokenVectorsTest {
  private static final JsonNode FILE = Vectors.load("flowdock-token.json");
  private static final Duration SKEW = Duration.ofSeconds(FILE.get("skewSeconds").asLong());

  @Test
  void theFileCoversEveryFailureTheBriefNames() {
    List<String> checks = new ArrayList<>();
    FILE.get("cases").forEach(c -> checks.add(c.get("expect").path("check").asText()));
    assertThat(checks)
        .contains(
            "BODY_DIGEST", "EXPIRED", "SIGNATURE", "ALGORITHM", "MALFORMED", "CLAIM", "MISSING");
    assertThat(SKEW).isEqualTo(FlowdockToken.DEFAULT_SKEW);
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
                            FlowdockToken.sign(
                                Vectors.signingSecret(c),
                                c.get("userId").asText(),
                                Vectors.body(c),
                                Vectors.at(c, "signedAt")))
                        .isEqualTo(c.get("token").asText())));
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

  private static void verify(JsonNode c) {
    String token = c.get("token").asText();
    if (Vectors.valid(c)) {
      assertThat(
              FlowdockToken.verify(
                  Vectors.secrets(c), token, Vectors.body(c), Vectors.at(c, "now"), SKEW))
          .isEqualTo(Vectors.expected(c, "userId"));
    } else {
      assertThatThrownBy(
              () ->
                  FlowdockToken.verify(
                      Vectors.secrets(c), token, Vectors.body(c), Vectors.at(c, "now"), SKEW))
          .isInstanceOfSatisfying(
              VerificationException.class, e -> assertThat(e.check()).isEqualTo(Vectors.check(c)));
    }
  }
}
