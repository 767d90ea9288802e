package org.backchannel.core.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/** Proof Key for Code Exchange (RFC 7636) with the one method Backchannel supports, S256. */
final class Pkce {
  static final String S256 = "S256";
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
  // BASE64URL(SHA-256(verifier)) without padding: always 43 characters.
  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

  private Pkce() {}

  static boolean wellFormedChallenge(String challenge) {
    return CHALLENGE.matcher(challenge).matches();
  }

  /** Whether {@code verifier} is well formed and its S256 transform is {@code challenge}. */
  static boolean verifies(String verifier, String challenge) {
    if (verifier == null || !VERIFIER.matcher(verifier).matches()) {
      return false;
    }
    return MessageDigest.isEqual(
        s256(verifier).getBytes(StandardCharsets.US_ASCII),
        challenge.getBytes(StandardCharsets.US_ASCII));
  }

  static String s256(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
