package org.backchannel.core.workspace;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Who recently used API tokens belong to, for a moment: a client calling many times a second costs
 * one store read per token per {@code ttl} instead of one per request. Any change this node makes
 * to people clears it at once; a change made by another node (or on the store directly) is seen
 * within {@code ttl}. Unknown tokens are remembered too, so guessing costs no more store reads.
 */
final class TokenCache {
  /** More tokens than this and the cache starts over, so guessed tokens cannot fill memory. */
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(Optional<User> user, Instant until) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  // Bumped by every clear: a read that began before a change must not store what it read.
  private final AtomicLong generation = new AtomicLong();
  private final InstantSource clock;
  private final Duration ttl;

  TokenCache(InstantSource clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  Optional<User> get(String tokenHash, Function<String, Optional<User>> load) {
    Instant now = clock.instant();
    Entry e = entries.get(tokenHash);
    if (e != null && now.isBefore(e.until())) {
      return e.user();
    }
    long before = generation.get();
    Optional<User> user = load.apply(tokenHash);
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    if (generation.get() == before) {
      entries.put(tokenHash, new Entry(user, now.plus(ttl)));
    }
    return user;
  }

  void clear() {
    generation.incrementAndGet();
    entries.clear();
  }
}
