package org.backchannel.sdk;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.backchannel.sdk.VerificationException.Check;

/** HS256 JWTs keyed by app secrets: the one place tokens are made and checked. */
final class Jwts {
  private Jwts() {}

  static String sign(AppSecret secret, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(secret.keyBytes()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed: " + e.getMessage(), e);
    }
  }

  /**
   * Checks the algorithm (HS256 only), the signature against any of {@code secrets}, and {@code
   * exp} (required) and {@code iat} (if present) against {@code now} with {@code skew}.
   */
  static JWTClaimsSet verify(List<AppSecret> secrets, String token, Instant now, Duration skew) {
    if (token == null || token.isBlank()) {
      throw new VerificationException(Check.MISSING, "no token was sent");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token.trim());
    } catch (ParseException e) {
      // An unsigned ("alg": "none") JWT does not parse as a signed one.
      if (isUnsecured(token.trim())) {
        throw new VerificationException(Check.ALGORITHM, "unsigned tokens are refused");
      }
      throw new VerificationException(Check.MALFORMED, "the token is not a signed JWT");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      throw new VerificationException(
          Check.ALGORITHM, "only HS256 is accepted, not " + jwt.getHeader().getAlgorithm());
    }
    if (secrets.stream().noneMatch(secret -> verifies(jwt, secret))) {
      throw new VerificationException(Check.SIGNATURE, "the token's signature does not match");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new VerificationException(Check.MALFORMED, "the token's claims are not a JSON object");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new VerificationException(Check.CLAIM, "the token has no exp claim");
    }
    if (now.minus(skew).isAfter(exp.toInstant())) {
      throw new VerificationException(Check.EXPIRED, "the token expired at " + exp.toInstant());
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
      throw new VerificationException(Check.NOT_YET_VALID, "the token was issued in the future");
    }
    return claims;
  }

  static String stringClaim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new VerificationException(Check.CLAIM, "the token has no string claim " + name);
    }
    return s;
  }

  private static boolean verifies(SignedJWT jwt, AppSecret secret) {
    try {
      return jwt.verify(new MACVerifier(secret.keyBytes()));
    } catch (JOSEException e) {
      return false;
    }
  }

  /** Whether the token's header says {@code "alg": "none"}, whatever follows it. */
  private static boolean isUnsecured(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    try {
      return Header.parse(new Base64URL(token.substring(0, dot))) instanceof PlainHeader;
    } catch (ParseException | RuntimeException e) {
      return false;
    }
  }
}
