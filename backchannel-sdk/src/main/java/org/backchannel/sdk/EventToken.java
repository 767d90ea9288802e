package org.backchannel.sdk;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The event token sent with every app event, in the {@code X-Flock-Event-Token} header or the
 * {@code flockEventToken} query parameter: an HS256 JWT keyed by the app secret with the claims
 * {@code appId}, {@code userId}, {@code iat}, {@code exp} and {@code jti}.
 */
public final class EventToken {
  /** The request header that carries the token to the event listener. */
  public static final String HEADER = "X-Flock-Event-Token";

  /** The query parameter that carries the token to a widget or browser URL. */
  public static final String QUERY_PARAMETER = "flockEventToken";

  /** How long a token is valid: long enough for a widget opened with it to call back. */
  public static final Duration LIFETIME = Duration.ofHours(1);

  private EventToken() {}

  /** The claims of a verified token. */
  public record Claims(
      String appId, String userId, Instant issuedAt, Instant expiresAt, String jti) {}

  /** Makes a token for an event about {@code userId}, unique by {@code jti}. */
  public static String sign(
      AppSecret secret, String appId, String userId, Instant now, String jti) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .claim("appId", appId)
            .claim("userId", userId)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .jwtID(jti)
            .build();
    return Jwts.sign(secret, claims);
  }

  /**
   * Verifies a token's algorithm, signature and expiry and returns its claims.
   *
   * @throws VerificationException naming the failed check
   */
  public static Claims verify(List<AppSecret> secrets, String token, Instant now, Duration skew) {
    JWTClaimsSet claims = Jwts.verify(secrets, token, now, skew);
    Date iat = claims.getIssueTime();
    return new Claims(
        Jwts.stringClaim(claims, "appId"),
        Jwts.stringClaim(claims, "userId"),
        iat == null ? null : iat.toInstant(),
        claims.getExpirationTime().toInstant(),
        claims.getJWTID());
  }
}
