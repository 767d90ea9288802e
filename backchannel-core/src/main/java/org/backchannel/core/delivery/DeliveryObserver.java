package org.backchannel.core.delivery;

/**
 * Told of every attempt and of what operators watch (metrics, notices). Must be quick and must not
 * throw.
 */
public interface DeliveryObserver {
  DeliveryObserver NONE = (delivery, attempt, outcome) -> {};

  void attempted(Delivery delivery, Attempt attempt, Outcome outcome);

  /**
   * This node put back in the queue {@code deliveries} whose lease another node stopped renewing
   * (it died, or lost the database).
   */
  default void leasesTakenOver(int deliveries) {}

  /**
   * An endpoint was disabled, as recorded: told once per disabling, after the transaction that
   * disabled it committed, on the thread that recorded it (hand slow work to another).
   */
  default void endpointDisabled(Endpoint endpoint) {}

  /** Both observers, {@code first} first. */
  static DeliveryObserver both(DeliveryObserver first, DeliveryObserver second) {
    return new DeliveryObserver() {
      @Override
      public void attempted(Delivery delivery, Attempt attempt, Outcome outcome) {
        first.attempted(delivery, attempt, outcome);
        second.attempted(delivery, attempt, outcome);
      }

      @Override
      public void leasesTakenOver(int deliveries) {
        first.leasesTakenOver(deliveries);
        second.leasesTakenOver(deliveries);
      }

      @Override
      public void endpointDisabled(Endpoint endpoint) {
        first.endpointDisabled(endpoint);
        second.endpointDisabled(endpoint);
      }
    };
  }
}
