package org.backchannel.core.delivery;

/** Told of every attempt, for metrics. Must be quick and must not throw. */
public interface DeliveryObserver {
  DeliveryObserver NONE = (delivery, attempt, outcome) -> {};

  void attempted(Delivery delivery, Attempt attempt, Outcome outcome);
}
