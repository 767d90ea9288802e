package org.backchannel.core.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.backchannel.core.PageRequest;

/** Storage of deliveries (the outbox), their bodies and their attempts. */
public interface DeliveryStore {
  /** Writes the queue row and its body, in the caller's transaction. */
  Delivery insertDelivery(NewDelivery delivery, String messageId, Instant now);

  Optional<Delivery> delivery(long id);

  /** The body of a delivery, exactly as it is sent, and its sealed extra headers. */
  Payload deliveryPayload(long deliveryId);

  /** Records an attempt and moves its delivery to the state it led to. */
  Attempt recordAttempt(
      Attempt attempt, DeliveryState state, Instant nextAttemptAt, String summary, Instant now);

  List<Attempt> attempts(long deliveryId);

  /** Deliveries matching {@code filter}, newest first, up to {@code limit + 1}. */
  List<Delivery> deliveries(DeliveryFilter filter, PageRequest page);
}
