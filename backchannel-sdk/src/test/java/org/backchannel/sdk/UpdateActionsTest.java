package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.backchannel.sdk.VerificationException.Check;
import org.junit.jupiter.api.Test;

class UpdateActionsTest {
  private static final AppSecret SECRET = AppSecret.of("update-actions-secret-0123456789abcdef");
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
  private static final String BODY =
      "{\"@type\":\"UpdateAction\",\"name\":\"Assign to me\",\"description\":\"Take it\","
          + "\"target\":{\"@type\":\"EntryPoint\",\"urlTemplate\":\"https://a.example/42\","
          + "\"httpMethod\":\"PUT\"},"
          + "\"agent\":{\"@type\":\"Person\",\"name\":\"Alyssa\",\"image\":\"https://i.example/a\"}}";

  @Test
  void returnsTheUserAndTheTypedAction() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    String token = FlowdockToken.sign(SECRET, "u:42", body, NOW);

    UpdateActions.Verified call = UpdateActions.verify(SECRET, token, body, NOW.plusSeconds(3));

    assertThat(call.userId()).isEqualTo("u:42");
    assertThat(call.action())
        .isEqualTo(
            new UpdateAction(
                "Assign to me",
                "Take it",
                new UpdateAction.Target("https://a.example/42", "PUT"),
                new UpdateAction.Agent("Alyssa", "https://i.example/a"),
                BODY));
    assertThat(call.action().tree().get("agent").get("@type").asText()).isEqualTo("Person");
  }

  @Test
  void aSignedBodyThatIsNotAnUpdateActionIsMalformed() {
    byte[] body = "{\"@type\":\"ViewAction\",\"name\":\"Open\"}".getBytes(StandardCharsets.UTF_8);
    String token = FlowdockToken.sign(SECRET, "u:42", body, NOW);
    assertThatThrownBy(() -> UpdateActions.verify(SECRET, token, body, NOW))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.check()).isEqualTo(Check.MALFORMED));
  }

  @Test
  void anotherBodyFailsTheDigestBeforeItIsRead() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    String token = FlowdockToken.sign(SECRET, "u:42", body, NOW);
    byte[] other = BODY.replace("Alyssa", "Mallory").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> UpdateActions.verify(SECRET, token, other, NOW))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.check()).isEqualTo(Check.BODY_DIGEST));
  }
}
