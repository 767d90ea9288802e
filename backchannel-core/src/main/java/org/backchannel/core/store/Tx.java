package org.backchannel.core.store;

/**
 * One transaction. Each feature reaches its own storage through it, e.g. {@code
 * tx.store(DeliveryStore.class)}: this port names no feature, so no feature depends on another's
 * storage through it.
 */
public interface Tx {
  /**
   * The storage interface {@code feature} (one of the features' {@code *Store} interfaces), working
   * inside this transaction.
   *
   * @throws IllegalArgumentException if the store has no such storage
   */
  <S> S store(Class<S> feature);
}
