package org.backchannel.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Durations as people write them in settings and the API: "250ms", "10s", "2m", "5h", "5d", or
 * ISO-8601 ("PT90S"). One reading and one writing, so that a value shown is a value accepted.
 */
public final class Durations {
  private Durations() {}

  /** The duration {@code text} names, or an {@link IllegalArgumentException} saying why not. */
  public static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return nonNegative(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
      }
      long n = Long.parseLong(t.substring(0, Math.max(0, t.length() - 1)));
      return nonNegative(
          switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new NumberFormatException();
          });
    } catch (NumberFormatException | StringIndexOutOfBoundsException | ArithmeticException e) {
      try {
        return nonNegative(Duration.parse(text.strip()));
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration such as 250ms, 10s, 2m, 5h or 5d");
      }
    }
  }

  /** A duration in the largest whole unit that writes it exactly: "5d", "2h", "10s", "250ms". */
  public static String text(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    } else if (s % 3600 == 0) {
      return s / 3600 + "h";
    } else if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private static Duration nonNegative(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("a duration cannot be negative: " + d);
    }
    return d;
  }
}
