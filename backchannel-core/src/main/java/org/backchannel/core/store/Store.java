package org.backchannel.core.store;

import java.util.function.Function;

/**
 * The port to durable state. Each call of {@link #transaction} commits all of its work or none; a
 * {@link org.backchannel.core.Problem} or any other exception thrown inside rolls it back.
 */
public interface Store extends AutoCloseable {
  <T> T transaction(Function<Tx, T> work);

  /** Which database this is, for health and diagnostics: "sqlite" or "postgresql". */
  String kind();

  @Override
  void close();
}
