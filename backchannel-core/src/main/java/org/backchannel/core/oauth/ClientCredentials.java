package org.backchannel.core.oauth;

/**
 * How a client identified itself at the token or revocation endpoint: its client id and its secret
 * (HTTP Basic or in the body), or its client id alone for a public client ({@code secret} null).
 */
public record ClientCredentials(String clientId, String secret) {
  /** Never the secret: credentials may end up in a log. */
  @Override
  public String toString() {
    return "ClientCredentials[" + clientId + (secret == null ? ", no secret]" : ", secret=…]");
  }
}
