package org.backchannel.core.store;

import java.util.Optional;
import java.util.function.Function;

/**
 * The port to durable state. Each call of {@link #transaction} commits all of its work or none; a
 * {@link org.backchannel.core.Problem} or any other exception thrown inside rolls it back.
 */
public interface Store extends AutoCloseable {
  <T> T transaction(Function<Tx, T> work);

  /**
   * Like {@link #transaction} for work that only reads: it sees one consistent snapshot and cannot
   * write (a write fails). On SQLite it does not take the database's one write lock, so reads never
   * wait for (or hold up) writers.
   */
  default <T> T read(Function<Tx, T> work) {
    return transaction(work);
  }

  /**
   * Calls {@code listener} after a transaction that made background deliveries due commits, in this
   * process or (on PostgreSQL, through LISTEN/NOTIFY) in any process on the same database. Closing
   * the result stops the calls. The listener must be quick: it only wakes a worker.
   */
  default AutoCloseable onNewWork(Runnable listener) {
    return () -> {};
  }

  /**
   * Asks the database one cheap question, for a readiness probe: empty when it answers (and, where
   * the store knows its schema, holds the schema this build migrates to), else what is wrong. It
   * does not throw.
   */
  default Optional<String> unready() {
    try {
      read(tx -> null);
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of("the store does not answer: " + e.getMessage());
    }
  }

  /** Which database this is, for health and diagnostics: "sqlite" or "postgresql". */
  String kind();

  @Override
  void close();
}
