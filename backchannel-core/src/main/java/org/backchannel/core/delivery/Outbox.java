package org.backchannel.core.delivery;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.backchannel.core.Problem;
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

  /**
   * Queues a delivery on the endpoint for its app and URL (made, of the kind its contract goes to,
   * if new), due now. A URL that is an endpoint of another kind is refused with a conflict.
   */
  public Delivery enqueue(Tx tx, NewDelivery delivery) {
    Instant now = clock.instant();
    Endpoint endpoint =
        tx.store(DeliveryStore.class)
            .endpointFor(
                delivery.workspaceId(),
                delivery.appId(),
                delivery.url(),
                Endpoint.Kind.of(delivery.contract()),
                now);
    if (!endpoint.carries(delivery.contract())) {
      throw new Problem.Conflict(
          delivery.url()
              + " is endpoint "
              + endpoint.id()
              + " of app "
              + endpoint.appId()
              + ", a "
              + endpoint.kind().wire()
              + " endpoint: it does not take "
              + delivery.contract().name().toLowerCase(java.util.Locale.ROOT)
              + " calls");
    }
    return insert(tx, delivery, endpoint, now);
  }

  /**
   * Queues a delivery on an endpoint the caller already holds; it is sent to that endpoint's URL.
   */
  public Delivery enqueue(Tx tx, Endpoint endpoint, NewDelivery delivery) {
    check(endpoint, delivery);
    return insert(tx, delivery, endpoint, clock.instant());
  }

  /**
   * A delivery for an endpoint the caller already holds; {@code cause} is the {@code traceparent}
   * of the request it is queued for (null when untraced).
   */
  public record ForEndpoint(Endpoint endpoint, NewDelivery delivery, String cause) {
    /** Queued for the request traced on this thread, whichever thread writes it later. */
    public ForEndpoint(Endpoint endpoint, NewDelivery delivery) {
      this(endpoint, delivery, DeliveryTracing.current());
    }
  }

  /**
   * Queues many deliveries, each on the endpoint it names, in a few statements; returns them in
   * order (an idempotency key used before gives the earlier delivery).
   */
  public List<Delivery> enqueueAll(Tx tx, List<ForEndpoint> deliveries) {
    Instant now = clock.instant();
    List<NewDelivery> rows = new ArrayList<>(deliveries.size());
    List<DeliveryStore.Initial> initials = new ArrayList<>(deliveries.size());
    for (ForEndpoint d : deliveries) {
      check(d.endpoint(), d.delivery());
      rows.add(d.delivery());
      initials.add(queued(d.endpoint(), now, d.cause()));
    }
    return tx.store(DeliveryStore.class).insertDeliveries(rows, initials, now);
  }

  private static void check(Endpoint endpoint, NewDelivery delivery) {
    if (endpoint.appId() != delivery.appId() || !endpoint.url().equals(delivery.url())) {
      throw new IllegalArgumentException("delivery is not for endpoint " + endpoint.id());
    }
    // The one door into the queue keeps every endpoint to its kind's contract.
    if (!endpoint.carries(delivery.contract())) {
      throw new IllegalArgumentException(
          delivery.contract() + " delivery for " + endpoint.kind() + " endpoint " + endpoint.id());
    }
  }

  /**
   * A queued delivery's start; {@code cause} is the {@code traceparent} of the request queueing it
   * (null when tracing is off), so its attempts hours later join that request's trace.
   */
  private static DeliveryStore.Initial queued(Endpoint endpoint, Instant now, String cause) {
    return new DeliveryStore.Initial(
        newMessageId(now), false, DeliveryState.PENDING, endpoint.id(), now, cause);
  }

  private static Delivery insert(Tx tx, NewDelivery delivery, Endpoint endpoint, Instant now) {
    return tx.store(DeliveryStore.class)
        .insertDelivery(delivery, queued(endpoint, now, DeliveryTracing.current()), now);
  }

  /**
   * The row of a call a person waits on: {@code SENDING} from the start, so no worker ever claims
   * it, and on no endpoint, as it is never queued.
   */
  static Delivery startCall(Tx tx, NewDelivery delivery, Instant now) {
    return tx.store(DeliveryStore.class)
        .insertDelivery(
            delivery,
            new DeliveryStore.Initial(newMessageId(now), true, DeliveryState.SENDING, null, null),
            now);
  }

  /**
   * A new stable {@code webhook-id}, kept across a delivery's retries: 48 bits of the time it was
   * made, then 48 random bits. Later ids sort later, so the store's unique index on them grows at
   * its end, as its other indexes do, instead of writing a page picked at random per delivery.
   */
  public static String newMessageId(Instant now) {
    return "msg_" + HexFormat.of().toHexDigits(now.toEpochMilli()).substring(4) + Tokens.hex(6);
  }
}
