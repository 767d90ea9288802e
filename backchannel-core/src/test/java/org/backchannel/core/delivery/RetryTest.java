package org.backchannel.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** When a failed background delivery is tried again. */
final class RetryTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void theDefaultScheduleGivesEightAttemptsThenNone() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.maxAttempts()).isEqualTo(8);
    assertThat(p.disableAfter()).isEqualTo(Duration.ofDays(5));
    assertThat(p.next(0, null, new Random(1))).contains(Duration.ZERO);
    assertThat(p.next(8, null, new Random(1))).isEmpty();
  }

  @Test
  void jitterSpreadsAWaitByAtMostItsShareEitherWay() {
    RetryPolicy p = new RetryPolicy(List.of(Duration.ZERO, Duration.ofMinutes(10)), 0.1, null);
    Random random = new Random(42);
    for (int i = 0; i < 1000; i++) {
      Duration wait = p.next(1, null, random).orElseThrow();
      assertThat(wait).isBetween(Duration.ofMinutes(9), Duration.ofMinutes(11));
    }
    RetryPolicy exact = new RetryPolicy(List.of(Duration.ofSeconds(5)), 0, null);
    assertThat(exact.next(0, null, random)).contains(Duration.ofSeconds(5));
  }

  @Test
  void retryAfterIsAFloorCappedAtADay() {
    RetryPolicy p = new RetryPolicy(List.of(Duration.ofSeconds(5), Duration.ofSeconds(5)), 0, null);
    assertThat(p.next(0, Duration.ofMinutes(2), new Random())).contains(Duration.ofMinutes(2));
    assertThat(p.next(0, Duration.ofSeconds(1), new Random())).contains(Duration.ofSeconds(5));
    assertThat(p.next(0, Duration.ofDays(3), new Random())).contains(Duration.ofDays(1));
    assertThat(p.next(2, Duration.ofMinutes(2), new Random())).isEmpty();
  }

  @Test
  void aPolicyNeedsAFirstAttemptAndSaneJitter() {
    assertThatThrownBy(() -> new RetryPolicy(List.of(), 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ZERO), 1, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ZERO), -0.1, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retryAfterReadsSecondsOrAnHttpDate() {
    assertThat(RetryPolicy.retryAfter("120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(RetryPolicy.retryAfter(" 0 ", NOW)).contains(Duration.ZERO);
    assertThat(RetryPolicy.retryAfter("Sun, 01 Mar 2026 12:05:00 GMT", NOW))
        .contains(Duration.ofMinutes(5));
    // A date already past means now.
    assertThat(RetryPolicy.retryAfter("Sun, 01 Mar 2026 11:00:00 GMT", NOW))
        .contains(Duration.ZERO);
  }

  @Test
  void anUnreadableRetryAfterIsIgnored() {
    assertThat(RetryPolicy.retryAfter(null, NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter("", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter("-5", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter("soon", NOW)).isEmpty();
    assertThat(RetryPolicy.retryAfter("2026-03-01T12:05:00Z", NOW)).isEmpty();
  }
}
