package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AppSecretTest {
  @Test
  void keepsKeyBytesThatAreNotUtf8() {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0x80 + i); // lone continuation bytes: never valid UTF-8
    }
    String whsec = "whsec_" + Base64.getEncoder().encodeToString(key);

    AppSecret secret = AppSecret.of(whsec);

    assertThat(secret.keyBytes()).isEqualTo(key);
    assertThat(secret.standardWebhooksForm()).isEqualTo(whsec);
    assertThat(secret.value()).isEqualTo(whsec);
    assertThat(AppSecret.of(secret.value())).isEqualTo(secret);
  }

  @Test
  void aUtf8WhsecSecretIsThePlainSecret() {
    String plain = "plain-secret-0123456789abcdef-0001";
    String whsec =
        "whsec_" + Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    assertThat(AppSecret.of(whsec).value()).isEqualTo(plain);
    assertThat(AppSecret.of(whsec)).isEqualTo(AppSecret.of(plain));
  }

  @Test
  void refusesShortOrUndecodableSecrets() {
    assertThatThrownBy(() -> AppSecret.of("too-short"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AppSecret.of("whsec_not base64!"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverPrintsTheValue() {
    AppSecret secret = AppSecret.generate();
    assertThat(secret.toString()).doesNotContain(secret.value());
  }
}
