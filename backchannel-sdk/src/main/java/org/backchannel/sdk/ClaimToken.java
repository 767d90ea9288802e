package org.backchannel.sdk;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.backchannel.sdk.VerificationException.Check;

/**
 * The one-time {@code claim} token an app appends to the URL of an authentication challenge (see
 * {@link Answers#authenticationChallenge(String, String)}): an HS256 JWT with the person's id in
 * {@code sub}, {@code exp} 15 minutes ahead, a unique {@code jti}, and {@code purpose} {@value
 * #PURPOSE} so that no other token signed with the same secret passes for one.
 *
 * <p>When the person comes back authenticated, the app checks that the claim's user is the one it
 * authenticated. To make a claim one-time, the app remembers each {@link Claim#jti()} it accepts
 * until {@link Claim#expiresAt()} and refuses it a second time.
 */
public final class ClaimToken {
  /** The query parameter that carries the token. */
  public static final String QUERY_PARAMETER = "claim";

  /** How long a claim is valid. */
  public static final Duration LIFETIME = Duration.ofMinutes(15);

  /** The value of the {@code purpose} claim. */
  public static final String PURPOSE = "flowdock-claim";

  /** The clock skew {@link #verify} allows. */
  public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

  private ClaimToken() {}

  /**
   * A verified claim.
   *
   * @param userId the person the claim was issued to
   * @param expiresAt when it stops being valid
   * @param jti its unique id, to refuse a second use
   */
  public record Claim(String userId, Instant expiresAt, String jti) {}

  /** A new claim for {@code userId}, valid for {@link #LIFETIME} from {@code now}. */
  public static String issue(AppSecret secret, String userId, Instant now) {
    return issue(secret, userId, now, UUID.randomUUID().toString());
  }

  static String issue(AppSecret secret, String userId, Instant now, String jti) {
    if (userId == null || userId.isEmpty()) {
      throw new IllegalArgumentException("a claim needs a user id");
    }
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(userId)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .jwtID(jti)
            .claim("purpose", PURPOSE)
            .build();
    return Jwts.sign(secret, claims);
  }

  /**
   * Verifies a claim's algorithm, signature, expiry and purpose.
   *
   * @throws VerificationException naming the failed check
   */
  public static Claim verify(List<AppSecret> secrets, String token, Instant now) {
    JWTClaimsSet claims = Jwts.verify(secrets, token, now, DEFAULT_SKEW);
    if (!PURPOSE.equals(claims.getClaim("purpose"))) {
      throw new VerificationException(Check.CLAIM, "the token is not a claim token");
    }
    return new Claim(
        Jwts.stringClaim(claims, "sub"),
        claims.getExpirationTime().toInstant(),
        Jwts.stringClaim(claims, "jti"));
  }

  /**
   * Verifies a claim as {@link #verify(List, String, Instant)} and that it was issued to {@code
   * expectedUserId}, the person the app has just authenticated.
   *
   * @throws VerificationException naming the failed check; {@link Check#USER_MISMATCH} for another
   *     person's claim
   */
  public static Claim verify(AppSecret secret, String token, String expectedUserId, Instant now) {
    Claim claim = verify(List.of(secret), token, now);
    if (!Digests.constantTimeEquals(claim.userId(), expectedUserId)) {
      throw new VerificationException(
          Check.USER_MISMATCH, "the claim was issued to another person");
    }
    return claim;
  }
}
