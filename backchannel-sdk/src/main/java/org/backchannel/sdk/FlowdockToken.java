package org.backchannel.sdk;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.backchannel.sdk.VerificationException.Check;

/**
 * The {@code FLOWDOCK-TOKEN} header of an UpdateAction call: an HS256 JWT keyed by the app's OAuth
 * client secret, with the acting user's id in {@code sub}, {@code exp} 30 seconds ahead, and the
 * lowercase hex SHA-256 of the exact body bytes in {@code signature}.
 */
public final class FlowdockToken {
  /** The request header that carries the token. */
  public static final String HEADER = "FLOWDOCK-TOKEN";

  /** How long a token is valid after it is made. */
  public static final Duration LIFETIME = Duration.ofSeconds(30);

  /** The clock skew {@link #verify(AppSecret, String, byte[], Instant)} allows. */
  public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

  private FlowdockToken() {}

  /** The token for a call with {@code body}, made by {@code userId} at {@code now}. */
  public static String sign(AppSecret secret, String userId, byte[] body, Instant now) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(userId)
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .claim("signature", Digests.sha256Hex(body))
            .build();
    return Jwts.sign(secret, claims);
  }

  /** As {@link #verify(List, String, byte[], Instant, Duration)} with one secret. */
  public static String verify(AppSecret secret, String token, byte[] body, Instant now) {
    return verify(List.of(secret), token, body, now, DEFAULT_SKEW);
  }

  /**
   * Verifies the token for the exact body received and returns the acting user's id ({@code sub}).
   *
   * @param secrets the app's valid secrets (two while one is being rotated)
   * @throws VerificationException naming the failed check
   */
  public static String verify(
      List<AppSecret> secrets, String token, byte[] body, Instant now, Duration skew) {
    JWTClaimsSet claims = Jwts.verify(secrets, token, now, skew);
    String digest = Jwts.stringClaim(claims, "signature");
    if (!Digests.constantTimeEquals(digest, Digests.sha256Hex(body))) {
      throw new VerificationException(
          Check.BODY_DIGEST, "the body is not the one the token was signed for");
    }
    return Jwts.stringClaim(claims, "sub");
  }
}
