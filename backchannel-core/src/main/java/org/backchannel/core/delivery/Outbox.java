package org.backchannel.core.delivery;

import java.time.Instant;
import java.time.InstantSource;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Tx;

/**
 * The one way into the queue: a background delivery written in the caller's transaction, so it is
 * committed with the state change it reports or not at all. The store wakes the workers once that
 * transaction commits.
 */
public final class Outbox {
  private final InstantSource clock;

  public Outbox(InstantSource clock) {
    this.clock = clock;
  }

  /** Queues a delivery on the endpoint for its app and URL (made if new), due now. */
  public Delivery enqueue(Tx tx, NewDelivery delivery) {
    Instant now = clock.instant();
    Endpoint endpoint =
        tx.store(DeliveryStore.class)
            .endpointFor(delivery.workspaceId(), delivery.appId(), delivery.url(), now);
    return insert(tx, delivery, endpoint, now);
  }

  /**
   * Queues a delivery on an endpoint the caller already holds; it is sent to that endpoint's URL.
   */
  public Delivery enqueue(Tx tx, Endpoint endpoint, NewDelivery delivery) {
    if (endpoint.appId() != delivery.appId() || !endpoint.url().equals(delivery.url())) {
      throw new IllegalArgumentException("delivery is not for endpoint " + endpoint.id());
    }
    return insert(tx, delivery, endpoint, clock.instant());
  }

  private static Delivery insert(Tx tx, NewDelivery delivery, Endpoint endpoint, Instant now) {
    return tx.store(DeliveryStore.class)
        .insertDelivery(
            delivery,
            new DeliveryStore.Initial(
                newMessageId(), false, DeliveryState.PENDING, endpoint.id(), now),
            now);
  }

  /**
   * The row of a call a person waits on: {@code SENDING} from the start, so no worker ever claims
   * it, and on no endpoint, as it is never queued.
   */
  static Delivery startCall(Tx tx, NewDelivery delivery, Instant now) {
    return tx.store(DeliveryStore.class)
        .insertDelivery(
            delivery,
            new DeliveryStore.Initial(newMessageId(), true, DeliveryState.SENDING, null, null),
            now);
  }

  /** A new stable {@code webhook-id}, kept across a delivery's retries. */
  public static String newMessageId() {
    return "msg_" + Tokens.hex(12);
  }
}
