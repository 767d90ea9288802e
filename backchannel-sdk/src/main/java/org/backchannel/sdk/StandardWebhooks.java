package org.backchannel.sdk;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backchannel.sdk.VerificationException.Check;

/**
 * The Standard Webhooks headers every call carries: {@code webhook-id}, {@code webhook-timestamp}
 * (seconds) and {@code webhook-signature}, one {@code v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">} per valid secret, separated by spaces while a secret is being rotated.
 */
public final class StandardWebhooks {
  /** The header with the message id, the same on every retry of one message. */
  public static final String ID = "webhook-id";

  /** The header with the time of sending, in seconds since the epoch. */
  public static final String TIMESTAMP = "webhook-timestamp";

  /** The header with the space-separated {@code v1,<base64>} signatures. */
  public static final String SIGNATURE = "webhook-signature";

  /** How far a timestamp may be from the receiver's clock. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private StandardWebhooks() {}

  /**
   * The three headers, in order, for a call with {@code body} signed by each of {@code secrets}.
   */
  public static Map<String, String> headers(
      String messageId, Instant timestamp, byte[] body, List<AppSecret> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret is needed to sign");
    }
    long seconds = timestamp.getEpochSecond();
    List<String> signatures = new ArrayList<>();
    for (AppSecret secret : secrets) {
      signatures.add("v1," + signature(secret, messageId, seconds, body));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(ID, messageId);
    headers.put(TIMESTAMP, Long.toString(seconds));
    headers.put(SIGNATURE, String.join(" ", signatures));
    return headers;
  }

  /**
   * Verifies the headers of a received call against any of {@code secrets}.
   *
   * @param header reads a request header by name, case-insensitively, or returns null
   * @throws VerificationException naming the failed check
   */
  public static void verify(
      java.util.function.Function<String, String> header,
      byte[] body,
      List<AppSecret> secrets,
      Instant now,
      Duration tolerance) {
    String id = header.apply(ID);
    String timestamp = header.apply(TIMESTAMP);
    String signatures = header.apply(SIGNATURE);
    if (id == null || timestamp == null || signatures == null) {
      throw new VerificationException(
          Check.MISSING, "webhook-id, webhook-timestamp and webhook-signature are all required");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new VerificationException(Check.MALFORMED, "webhook-timestamp is not a number");
    }
    Instant sent = Instant.ofEpochSecond(seconds);
    if (sent.isBefore(now.minus(tolerance))) {
      throw new VerificationException(Check.EXPIRED, "webhook-timestamp is too old");
    }
    if (sent.isAfter(now.plus(tolerance))) {
      throw new VerificationException(Check.NOT_YET_VALID, "webhook-timestamp is in the future");
    }
    for (AppSecret secret : secrets) {
      String expected = signature(secret, id, seconds, body);
      for (String candidate : signatures.trim().split(" +")) {
        int comma = candidate.indexOf(',');
        if (comma > 0
            && candidate.substring(0, comma).equals("v1")
            && Digests.constantTimeEquals(candidate.substring(comma + 1), expected)) {
          return;
        }
      }
    }
    throw new VerificationException(Check.SIGNATURE, "no v1 signature matches");
  }

  private static String signature(AppSecret secret, String id, long seconds, byte[] body) {
    return signature(secret.keyBytes(), id, seconds, body);
  }

  /** Base64 HMAC-SHA256 of {@code "id.seconds.body"} keyed by {@code key}. */
  static String signature(byte[] key, String id, long seconds, byte[] body) {
    byte[] prefix = (id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return Base64.getEncoder().encodeToString(Digests.hmacSha256(key, signed));
  }
}
