package org.backchannel.sdk;

/**
 * A call did not pass verification. {@link #check()} names the check that failed; the message
 * explains it without revealing any expected value, so it is safe to log or return.
 */
public final class VerificationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The checks a call must pass, in the order they are made. */
  public enum Check {
    /** The token, header or parameter is missing. */
    MISSING,
    /** The token is not a well-formed JWT, or a header is not in its documented form. */
    MALFORMED,
    /** The token is not signed with HS256 ({@code none} and every other algorithm are refused). */
    ALGORITHM,
    /** The signature does not match any valid secret. */
    SIGNATURE,
    /** The token has expired, or the timestamp is too old. */
    EXPIRED,
    /** The token or timestamp lies too far in the future. */
    NOT_YET_VALID,
    /** The body is not the one the token was signed for. */
    BODY_DIGEST,
    /** A required claim is missing or has the wrong type. */
    CLAIM,
    /** The event's {@code userId} differs from the token's. */
    USER_MISMATCH
  }

  private final Check check;

  /** A failure of {@code check}, explained by {@code message} (which must not hold secrets). */
  public VerificationException(Check check, String message) {
    super(check + ": " + message);
    this.check = check;
  }

  /** Which check failed. */
  public Check check() {
    return check;
  }
}
