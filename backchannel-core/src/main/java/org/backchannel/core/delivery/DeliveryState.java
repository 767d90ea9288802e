package org.backchannel.core.delivery;

/** Where a delivery stands. */
public enum DeliveryState {
  /** Waiting for its next attempt. */
  PENDING,
  /** Claimed by a worker, or being sent for a waiting person. */
  SENDING,
  /** The app answered as the contract counts success. */
  SUCCEEDED,
  /** Finally failed: no attempt is left, or a person saw the failure. */
  FAILED
}
