package org.backchannel.core.accounts;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without handing anyone a way to lock another person out. Wrong passwords
 * are counted per client address and per account, on this node. A client that keeps failing waits
 * longer and longer, whatever emails it tries. An account with many failures in a window is
 * guarded: only clients that have not been failing may try it, so its owner still signs in from
 * their own browser while the guessers wait. The owner is told of the failures on the next page
 * they open.
 */
final class SignInThrottle {
  static final Duration WINDOW = Duration.ofMinutes(15);

  /** Failures a client may make in a window before it has to wait. */
  static final int FREE_FAILURES = 5;

  /** Failures for one account in a window after which failing clients may not try it. */
  static final int ACCOUNT_FAILURES = 10;

  /** Failures a client may have and still try a guarded account (a typo or two). */
  static final int GUARDED_CLIENT_FAILURES = 2;

  private static final int PRUNE_ABOVE = 10_000;

  /** Failures in the window that began at {@code since}; {@code last} is the latest. */
  private record Failures(int count, Instant since, Instant last) {
    boolean live(Instant now) {
      return now.isBefore(since.plus(WINDOW));
    }

    Failures plusOne(Instant now) {
      return live(now) ? new Failures(count + 1, since, now) : new Failures(1, now, now);
    }
  }

  /** Failed sign-ins for an account its owner has not been told of. */
  record Unseen(int count, Instant last) {}

  private final InstantSource clock;
  private final ConcurrentHashMap<String, Failures> clients = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Failures> accounts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Unseen> unseen = new ConcurrentHashMap<>();

  SignInThrottle(InstantSource clock) {
    this.clock = clock;
  }

  /** How long {@code client} must wait before it may try {@code account}; empty when it may now. */
  Optional<Duration> wait(String client, String account) {
    Instant now = clock.instant();
    Failures c = live(clients.get(client), now);
    if (c == null) {
      return Optional.empty();
    }
    Instant until = now;
    if (c.count() >= FREE_FAILURES) {
      // 1 s after the sixth failure, doubling with each, never beyond the window.
      int over = Math.min(c.count() - FREE_FAILURES, 20);
      Duration backOff = Duration.ofSeconds(1L << over);
      until = c.last().plus(backOff.compareTo(WINDOW) > 0 ? WINDOW : backOff);
    }
    Failures a = account == null ? null : live(accounts.get(account), now);
    if (a != null && a.count() >= ACCOUNT_FAILURES && c.count() > GUARDED_CLIENT_FAILURES) {
      Instant guardEnds = a.since().plus(WINDOW);
      Instant clientClears = c.since().plus(WINDOW);
      Instant end = guardEnds.isBefore(clientClears) ? guardEnds : clientClears;
      until = end.isAfter(until) ? end : until;
    }
    return until.isAfter(now) ? Optional.of(Duration.between(now, until)) : Optional.empty();
  }

  /**
   * Counts a wrong password from {@code client} for {@code account}. Unknown emails are counted
   * (and guarded) alike, so the answers do not tell which emails exist; only a real person's
   * failures are kept to tell them.
   */
  void failed(String client, String account, boolean exists) {
    Instant now = clock.instant();
    prune(clients, now);
    clients.compute(client, (k, f) -> f == null ? new Failures(1, now, now) : f.plusOne(now));
    prune(accounts, now);
    accounts.compute(account, (k, f) -> f == null ? new Failures(1, now, now) : f.plusOne(now));
    if (exists) {
      unseen.merge(account, new Unseen(1, now), (a, b) -> new Unseen(a.count() + 1, now));
    }
  }

  /**
   * A right password: the client starts afresh. The account's own count stays, so a guessing run
   * against it is still guarded.
   */
  void succeeded(String client) {
    clients.remove(client);
  }

  /** The failures for an account its owner has not yet been shown, once. */
  Optional<Unseen> takeUnseen(String account) {
    return Optional.ofNullable(unseen.remove(account));
  }

  private static Failures live(Failures f, Instant now) {
    return f != null && f.live(now) ? f : null;
  }

  private static void prune(ConcurrentHashMap<String, Failures> map, Instant now) {
    if (map.size() > PRUNE_ABOVE) {
      map.values().removeIf(f -> !f.live(now));
    }
  }
}
