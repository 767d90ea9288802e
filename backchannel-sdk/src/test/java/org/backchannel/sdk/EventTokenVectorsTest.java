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

class EventTokenVectorsTest {
  private static final JsonNode FILE = Vectors.load("event-token.json");
  private static final Duration SKEW = Duration.ofSeconds(FILE.get("skewSeconds").asLong());

  @Test
  void theSkewIsTheOneTheVerifiersUse() {
    assertThat(SKEW).isEqualTo(Events.DEFAULT_SKEW);
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
                            EventToken.sign(
                                Vectors.signingSecret(c),
                                c.get("appId").asText(),
                                c.get("userId").asText(),
                                Vectors.at(c, "signedAt"),
                                c.get("jti").asText()))
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

  @TestFactory
  Stream<DynamicTest> widgetQueries() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FILE.get("widgetCases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> verifyQuery(c)));
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }

  private static void verify(JsonNode c) {
    String token = c.get("token").asText();
    List<AppSecret> secrets = Vectors.secrets(c);
    boolean withBody = c.has("body");
    if (Vectors.valid(c)) {
      EventToken.Claims claims = EventToken.verify(secrets, token, Vectors.at(c, "now"), SKEW);
      assertThat(claims.appId()).isEqualTo(Vectors.expected(c, "appId"));
      assertThat(claims.userId()).isEqualTo(Vectors.expected(c, "userId"));
      assertThat(claims.jti()).isEqualTo(Vectors.expected(c, "jti"));
      if (withBody) {
        Event event = Events.verify(secrets, token, Vectors.body(c), Vectors.at(c, "now"));
        assertThat(event.name()).isEqualTo(Vectors.expected(c, "event"));
        assertThat(event.userId()).isEqualTo(claims.userId());
      }
    } else {
      assertThatThrownBy(
              () -> {
                if (withBody) {
                  Events.verify(secrets, token, Vectors.body(c), Vectors.at(c, "now"));
                } else {
                  EventToken.verify(secrets, token, Vectors.at(c, "now"), SKEW);
                }
              })
          .isInstanceOfSatisfying(
              VerificationException.class, e -> assertThat(e.check()).isEqualTo(Vectors.check(c)));
    }
  }

  private static void verifyQuery(JsonNode c) {
    String query = c.get("query").asText();
    if (Vectors.valid(c)) {
      Events.WidgetEvent opened =
          Events.verifyQuery(Vectors.secrets(c), query, Vectors.at(c, "now"));
      assertThat(opened.event().name()).isEqualTo(Vectors.expected(c, "event"));
      assertThat(opened.event().userId()).isEqualTo(Vectors.expected(c, "userId"));
      assertThat(opened.client()).isEqualTo(Vectors.expected(c, "client"));
      assertThat(opened.widgetType()).isEqualTo(Vectors.expected(c, "widgetType"));
    } else {
      assertThatThrownBy(() -> Events.verifyQuery(Vectors.secrets(c), query, Vectors.at(c, "now")))
          .isInstanceOfSatisfying(
              VerificationException.class, e -> assertThat(e.check()).isEqualTo(Vectors.check(c)));
    }
  }
}
