package org.backchannel.core.security;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.backchannel.sdk.Digests;

/** Bearer tokens: random, shown once, stored only as their SHA-256. */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  /** A flow token: 32 hex characters, as Flowdock's are. */
  public static String newFlowToken() {
    return hex(16);
  }

  /** A personal API token. */
  public static String newApiToken() {
    return "bcu_" + hex(24);
  }

  /** An OAuth access token an app presents as {@code Authorization: Bearer}. */
  public static String newAccessToken() {
    return "bca_" + hex(24);
  }

  /** An OAuth refresh token: used once, answered with a new one. */
  public static String newRefreshToken() {
    return "bcr_" + hex(24);
  }

  /** An OAuth authorisation code: single use, short-lived. */
  public static String newAuthorizationCode() {
    return hex(20);
  }

  /** Whether a bearer token is an app's OAuth access token rather than a person's own. */
  public static boolean isAccessToken(String token) {
    return token.startsWith("bca_");
  }

  /** A client id for an app that did not name its own. */
  public static String newClientId() {
    return hex(16);
  }

  /** The stored form; looking a token up by it keeps the compare off the secret itself. */
  public static String hash(String token) {
    return Digests.sha256Hex(token);
  }

  public static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
