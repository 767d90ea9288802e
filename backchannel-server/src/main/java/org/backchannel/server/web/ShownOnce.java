package org.backchannel.server.web;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.backchannel.core.security.Tokens;

/**
 * Secrets a page shows exactly once: a form's POST keeps the new secret here under a random key for
 * the session that made it, and the page it redirects to takes it out. Reloading that page finds
 * nothing, and nothing is ever written to the store. Held in memory on this node for two minutes at
 * most.
 */
final class ShownOnce {
  static final Duration LIFETIME = Duration.ofMinutes(2);
  private static final int MAX = 10_000;

  private record Held(String session, String secret, Instant until) {}

  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
  private final InstantSource clock;

  ShownOnce(InstantSource clock) {
    this.clock = clock;
  }

  /** Keeps a secret for one showing to this session; returns the key for the redirect. */
  String keep(Session session, String secret) {
    Instant now = clock.instant();
    if (held.size() >= MAX) {
      held.values().removeIf(h -> !h.until().isAfter(now));
    }
    String key = Tokens.hex(16);
    held.put(key, new Held(session.csrf(), secret, now.plus(LIFETIME)));
    return key;
  }

  /** The secret kept under {@code key} for this session, removed as it is read. */
  Optional<String> take(Session session, String key) {
    if (key == null) {
      return Optional.empty();
    }
    Held h = held.get(key);
    if (h == null || !Guard.same(h.session(), session.csrf()) || !held.remove(key, h)) {
      return Optional.empty();
    }
    return h.until().isAfter(clock.instant()) ? Optional.of(h.secret()) : Optional.empty();
  }
}
