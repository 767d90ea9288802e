package org.backchannel.core;

/**
 * Which page to read: items with ids below {@code before} (newest first), or above {@code after}
 * (oldest first, for following a live list). At most {@code limit} items.
 */
public record PageRequest(Long before, Long after, int limit) {
  public static final int MAX_LIMIT = 200;
  public static final int DEFAULT_LIMIT = 50;

  public PageRequest {
    Validation v = new Validation();
    if (limit < 1 || limit > MAX_LIMIT) {
      v.add("limit", "must be between 1 and " + MAX_LIMIT);
    }
    if (before != null && after != null) {
      v.add("before", "cannot be combined with after");
    }
    v.throwIfInvalid();
  }

  public static PageRequest first() {
    return new PageRequest(null, null, DEFAULT_LIMIT);
  }

  public boolean ascending() {
    return after != null;
  }

  /** Reads one more than the limit, to know whether a next page exists. */
  public <T> Page<T> page(java.util.List<T> fetched, java.util.function.ToLongFunction<T> id) {
    if (fetched.size() <= limit) {
      return new Page<>(fetched, null);
    }
    java.util.List<T> items = fetched.subList(0, limit);
    return new Page<>(items, id.applyAsLong(items.get(limit - 1)));
  }
}
