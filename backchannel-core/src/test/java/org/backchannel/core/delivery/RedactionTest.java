package org.backchannel.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Secrets never reach an attempt record: the headers that carry them are replaced. */
final class RedactionTest {
  @Test
  void signingAndCredentialHeadersAreReplacedWhateverTheirCase() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("FLOWDOCK-TOKEN", "jwt");
    headers.put("X-Flock-Event-Token", "jwt");
    headers.put("webhook-signature", "v1,abc");
    headers.put("Authorization", "Bearer s");
    headers.put("Proxy-Authorization", "Basic s");
    headers.put("Cookie", "a=b");
    headers.put("Set-Cookie", "a=b");
    headers.put("X-Api-Key", "k");
    headers.put("Content-Type", "application/json");
    headers.put("webhook-id", "msg_1");
    Map<String, String> out = Redaction.headers(headers, Set.of());
    assertThat(out)
        .containsExactly(
            Map.entry("FLOWDOCK-TOKEN", "[redacted]"),
            Map.entry("X-Flock-Event-Token", "[redacted]"),
            Map.entry("webhook-signature", "[redacted]"),
            Map.entry("Authorization", "[redacted]"),
            Map.entry("Proxy-Authorization", "[redacted]"),
            Map.entry("Cookie", "[redacted]"),
            Map.entry("Set-Cookie", "[redacted]"),
            Map.entry("X-Api-Key", "[redacted]"),
            Map.entry("Content-Type", "application/json"),
            Map.entry("webhook-id", "msg_1"));
  }

  @Test
  void configuredHeadersOfACallAreSecretToo() {
    Map<String, String> out =
        Redaction.headers(
            Map.of("X-Custom-Secret", "s", "X-Plain", "p"), Set.of("x-custom-secret"));
    assertThat(out).containsEntry("X-Custom-Secret", "[redacted]").containsEntry("X-Plain", "p");
  }
}
