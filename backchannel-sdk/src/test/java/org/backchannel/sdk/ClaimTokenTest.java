package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.backchannel.sdk.VerificationException.Check;
import org.junit.jupiter.api.Test;

class ClaimTokenTest {
  private static final AppSecret SECRET = AppSecret.of("claim-token-secret-0123456789abcdef");
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

  private static Check failure(Runnable verify) {
    try {
      verify.run();
    } catch (VerificationException e) {
      return e.check();
    }
    throw new AssertionError("verification passed");
  }

  @Test
  void isValidForFifteenMinutesPlusTheSkew() {
    String token = ClaimToken.issue(SECRET, "u:42", NOW, "j-1");
    Instant last = NOW.plus(ClaimToken.LIFETIME).plus(ClaimToken.DEFAULT_SKEW);

    assertThat(ClaimToken.verify(List.of(SECRET), token, last))
        .isEqualTo(new ClaimToken.Claim("u:42", NOW.plusSeconds(900), "j-1"));
    assertThat(failure(() -> ClaimToken.verify(List.of(SECRET), token, last.plusSeconds(1))))
        .isEqualTo(Check.EXPIRED);
  }

  @Test
  void eachClaimHasItsOwnId() {
    String a = ClaimToken.issue(SECRET, "u:42", NOW);
    String b = ClaimToken.issue(SECRET, "u:42", NOW);
    assertThat(ClaimToken.verify(List.of(SECRET), a, NOW).jti())
        .isNotEqualTo(ClaimToken.verify(List.of(SECRET), b, NOW).jti());
  }

  @Test
  void refusesAnotherPersonsClaim() {
    String token = ClaimToken.issue(SECRET, "u:42", NOW);
    assertThat(failure(() -> ClaimToken.verify(SECRET, token, "u:43", NOW)))
        .isEqualTo(Check.USER_MISMATCH);
  }

  @Test
  void refusesOtherTokensSignedWithTheSameSecret() {
    String flowdock = FlowdockToken.sign(SECRET, "u:42", new byte[0], NOW);
    String event = EventToken.sign(SECRET, "app", "u:42", NOW, "j");
    assertThat(failure(() -> ClaimToken.verify(List.of(SECRET), flowdock, NOW)))
        .isEqualTo(Check.CLAIM);
    assertThat(failure(() -> ClaimToken.verify(List.of(SECRET), event, NOW)))
        .isEqualTo(Check.CLAIM);
  }

  @Test
  void refusesAClaimSignedWithAnotherSecret() {
    String token = ClaimToken.issue(AppSecret.generate(), "u:42", NOW);
    assertThat(failure(() -> ClaimToken.verify(List.of(SECRET), token, NOW)))
        .isEqualTo(Check.SIGNATURE);
  }
}
