package org.backchannel.sdk;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * An app's shared secret. One secret serves every scheme: the JWTs use its UTF-8 bytes as the HMAC
 * key, and its Standard Webhooks form is {@code whsec_} + base64 of those same bytes.
 *
 * <p>{@link #toString()} never shows the value, so a secret can be logged by mistake without
 * leaking.
 */
public final class AppSecret {
  /** HS256 needs a key of at least 256 bits; JWT libraries refuse shorter ones. */
  public static final int MIN_BYTES = 32;

  private static final String WHSEC = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String value;

  private AppSecret(String value) {
    this.value = value;
  }

  /**
   * Wraps a secret as the developer dashboard shows it. Accepts the plain form and the {@code
   * whsec_} form.
   *
   * @throws IllegalArgumentException if it is shorter than {@value #MIN_BYTES} bytes
   */
  public static AppSecret of(String secret) {
    Objects.requireNonNull(secret, "secret");
    String plain =
        secret.startsWith(WHSEC)
            ? new String(
                Base64.getDecoder().decode(secret.substring(WHSEC.length())),
                StandardCharsets.UTF_8)
            : secret;
    if (plain.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "an app secret must have at least " + MIN_BYTES + " bytes for HS256");
    }
    return new AppSecret(plain);
  }

  /** A new secret of 32 random bytes, written as 64 lowercase hex characters. */
  public static AppSecret generate() {
    byte[] bytes = new byte[MIN_BYTES];
    RANDOM.nextBytes(bytes);
    return new AppSecret(Hex.encode(bytes));
  }

  /** The secret as the app stores it. */
  public String value() {
    return value;
  }

  /** The HMAC key: the secret's UTF-8 bytes (a fresh copy). */
  public byte[] keyBytes() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** The same secret in the Standard Webhooks form, {@code whsec_<base64>}. */
  public String standardWebhooksForm() {
    return WHSEC + Base64.getEncoder().encodeToString(keyBytes());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AppSecret other && Digests.constantTimeEquals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 0; // equal secrets must hash alike; hashing the value would leak timing for nothing
  }

  @Override
  public String toString() {
    return "AppSecret[redacted]";
  }
}
