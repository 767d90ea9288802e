package org.backchannel.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** S256 as RFC 7636 defines it, checked against the RFC's own example (Appendix B). */
final class PkceTest {
  static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  @Test
  void theRfcsExampleVerifies() {
    assertThat(Pkce.s256(VERIFIER)).isEqualTo(CHALLENGE);
    assertThat(Pkce.wellFormedChallenge(CHALLENGE)).isTrue();
    assertThat(Pkce.verifies(VERIFIER, CHALLENGE)).isTrue();
  }

  @Test
  void anotherOrMalformedVerifierDoesNot() {
    assertThat(Pkce.verifies(VERIFIER.replace('d', 'e'), CHALLENGE)).isFalse();
    assertThat(Pkce.verifies(null, CHALLENGE)).isFalse();
    assertThat(Pkce.verifies("short", Pkce.s256("short"))).isFalse();
    assertThat(Pkce.verifies(VERIFIER + "!", CHALLENGE)).isFalse();
    // The plain method would send the verifier itself as the challenge: never accepted.
    assertThat(Pkce.verifies(VERIFIER, VERIFIER)).isFalse();
    assertThat(Pkce.wellFormedChallenge(CHALLENGE + "=")).isFalse();
  }
}
