package org.backchannel.sdk;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
  private final byte[] key;

  private AppSecret(String value, byte[] key) {
    this.value = value;
    this.key = key;
  }

  /**
   * Wraps a secret as the developer dashboard shows it. Accepts the plain form and the {@code
   * whsec_} form. The key is exactly the bytes after {@code whsec_}, even when they are not UTF-8.
   *
   * @throws IllegalArgumentException if it is shorter than {@value #MIN_BYTES} bytes, or its {@code
   *     whsec_} form is not base64
   */
  public static AppSecret of(String secret) {
    Objects.requireNonNull(secret, "secret");
    String value = secret;
    byte[] key;
    if (secret.startsWith(WHSEC)) {
      try {
        key = Base64.getDecoder().decode(secret.substring(WHSEC.length()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a whsec_ secret must be base64 after the prefix");
      }
      // Keep the plain form when there is one; bytes that are not UTF-8 only have this form.
      value = utf8(key);
      if (value == null) {
        value = WHSEC + Base64.getEncoder().encodeToString(key);
      }
    } else {
      key = secret.getBytes(StandardCharsets.UTF_8);
    }
    if (key.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "an app secret must have at least " + MIN_BYTES + " bytes for HS256");
    }
    return new AppSecret(value, key);
  }

  /** A new secret of 32 random bytes, written as 64 lowercase hex characters. */
  public static AppSecret generate() {
    byte[] bytes = new byte[MIN_BYTES];
    RANDOM.nextBytes(bytes);
    String value = Hex.encode(bytes);
    return new AppSecret(value, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The secret as the app stores it: the plain form, or the {@code whsec_} form when its bytes are
   * not UTF-8. {@link #of(String)} of this value gives an equal secret.
   */
  public String value() {
    return value;
  }

  /** The HMAC key: the secret's bytes (a fresh copy); the UTF-8 bytes of a plain secret. */
  public byte[] keyBytes() {
    return key.clone();
  }

  /** The same secret in the Standard Webhooks form, {@code whsec_<base64>}. */
  public String standardWebhooksForm() {
    return WHSEC + Base64.getEncoder().encodeToString(key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AppSecret other && MessageDigest.isEqual(key, other.key);
  }

  @Override
  public int hashCode() {
    return 0; // equal secrets must hash alike; hashing the value would leak timing for nothing
  }

  @Override
  public String toString() {
    return "AppSecret[redacted]";
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
