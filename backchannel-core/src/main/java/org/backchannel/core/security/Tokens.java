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
