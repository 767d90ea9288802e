package org.backchannel.core.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a background delivery is tried again. {@code schedule.get(n)} is the wait before attempt
 * {@code n + 1}; once it is used up the delivery has finally failed. Each wait is spread by up to
 * {@code jitter} of itself either way, so that many deliveries that failed together do not all come
 * back together. An endpoint that has failed without a success for {@code disableAfter} is
 * disabled.
 */
public record RetryPolicy(List<Duration> schedule, double jitter, Duration disableAfter) {
  /** Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; ±10 %; disable after 5 days. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        List.of(
            Duration.ZERO,
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10)),
        0.1,
        Duration.ofDays(5));
  }

  /** The longest a Retry-After answer may push the next attempt out. */
  static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

  public RetryPolicy {
    schedule = List.copyOf(schedule);
    if (schedule.isEmpty()) {
      throw new IllegalArgumentException("a retry schedule needs at least the first attempt");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be at least 0 and below 1, not " + jitter);
    }
  }

  /** How many attempts a delivery gets in all. */
  public int maxAttempts() {
    return schedule.size();
  }

  /**
   * The wait before the next attempt after {@code attemptsMade}, at least {@code atLeast} (an app's
   * Retry-After, capped at a day); empty when no attempt is left.
   */
  public Optional<Duration> next(int attemptsMade, Duration atLeast, RandomGenerator random) {
    if (attemptsMade >= schedule.size()) {
      return Optional.empty();
    }
    Duration wait = schedule.get(attemptsMade);
    if (jitter > 0 && !wait.isZero()) {
      double factor = 1 + jitter * (2 * random.nextDouble() - 1);
      wait = Duration.ofMillis(Math.round(wait.toMillis() * factor));
    }
    if (atLeast != null) {
      Duration floor = atLeast.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : atLeast;
      if (floor.compareTo(wait) > 0) {
        wait = floor;
      }
    }
    return Optional.of(wait);
  }

  /**
   * Reads an app's Retry-After header, a number of seconds or an HTTP date: the {@code atLeast} of
   * {@link #next}. Empty when absent or unreadable; a date in the past means now.
   */
  static Optional<Duration> retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      // not seconds: try a date
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
