package org.backchannel.core.oauth;

/**
 * A refusal in the protocol's own terms (RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1): the error
 * code the client receives and a sentence for its developer. The HTTP layer sends it to the
 * redirect URI or as the token endpoint's JSON error; it never carries a secret.
 */
public final class OAuthError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  private OAuthError(String code, String description) {
    super(description, null, false, false);
    this.code = code;
  }

  /** The RFC's error code, such as {@code invalid_grant}. */
  public String code() {
    return code;
  }

  public String description() {
    return getMessage();
  }

  public static OAuthError invalidRequest(String description) {
    return new OAuthError("invalid_request", description);
  }

  /** Client authentication failed: 401 at the token endpoint. */
  public static OAuthError invalidClient(String description) {
    return new OAuthError("invalid_client", description);
  }

  public static OAuthError invalidGrant(String description) {
    return new OAuthError("invalid_grant", description);
  }

  public static OAuthError invalidScope(String description) {
    return new OAuthError("invalid_scope", description);
  }

  public static OAuthError unauthorizedClient(String description) {
    return new OAuthError("unauthorized_client", description);
  }

  public static OAuthError unsupportedResponseType(String description) {
    return new OAuthError("unsupported_response_type", description);
  }

  public static OAuthError accessDenied(String description) {
    return new OAuthError("access_denied", description);
  }
}
