package org.backchannel.core.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.backchannel.core.PageRequest;

/** Storage of deliveries (the outbox), their bodies and their attempts. */
public interface DeliveryStore {
  /**
   * Where a new delivery starts, as the engine decided: its {@code webhook-id}, whether a person
   * waits on it, its state, its endpoint (background ones), when it is first due (null: never
   * queued) and the W3C {@code traceparent} of the request that queued it (null: not traced), kept
   * with the body so that every attempt, however much later, joins that request's trace.
   */
  record Initial(
      String messageId,
      boolean interactive,
      DeliveryState state,
      Long endpointId,
      Instant nextAttemptAt,
      String traceparent) {
    /** A delivery queued by no traced request. */
    public Initial(
        String messageId,
        boolean interactive,
        DeliveryState state,
        Long endpointId,
        Instant nextAttemptAt) {
      this(messageId, interactive, state, endpointId, nextAttemptAt, null);
    }
  }

  /**
   * Writes the queue row and its body, in the caller's transaction, as {@code initial} says. With
   * an idempotency key that the app already used, nothing is written and the earlier delivery is
   * returned. A delivery written {@code PENDING} wakes the workers once the transaction commits.
   */
  Delivery insertDelivery(NewDelivery delivery, Initial initial, Instant now);

  /**
   * Writes many deliveries as {@link #insertDelivery} writes one, in a few multi-row statements,
   * and returns them in order. A key the app already used, or one used earlier in the same list,
   * gives the earlier delivery and writes nothing.
   */
  List<Delivery> insertDeliveries(
      List<NewDelivery> deliveries, List<Initial> initials, Instant now);

  /**
   * Replaces {@code secret} with {@code [redacted]} in a delivery's stored body and recorded
   * attempts, once a call that had to carry it in clear (an install token) is over.
   */
  void redactDelivery(long deliveryId, String secret);

  Optional<Delivery> delivery(long id);

  /**
   * The body of a delivery, exactly as it is sent, its sealed extra headers and the {@code
   * traceparent} it was queued under.
   */
  Payload deliveryPayload(long deliveryId);

  /** The payloads of several deliveries at once, by delivery id. */
  java.util.Map<Long, Payload> deliveryPayloads(List<Long> deliveryIds);

  /** Records an attempt and moves its delivery to the state it led to. */
  Attempt recordAttempt(
      Attempt attempt, DeliveryState state, Instant nextAttemptAt, String summary, Instant now);

  /**
   * Records several attempts (of different deliveries) as {@link #recordAttempt} does, with one
   * statement for all the attempts and one batch for all the deliveries; returns them in order.
   * Each attempt's request body must be its delivery's body as sent (decoded as UTF-8): it is not
   * stored a second time, {@link #attempts} reads it from the delivery (redactions included).
   */
  List<Attempt> recordAttempts(List<SettledAttempt> settled, Instant now);

  List<Attempt> attempts(long deliveryId);

  /** Deliveries matching {@code filter}, newest first, up to {@code limit + 1}. */
  List<Delivery> deliveries(DeliveryFilter filter, PageRequest page);

  /**
   * Deliveries of a workspace created in {@code [since, since + buckets * bucket)}, counted per
   * bucket of that length, oldest first; buckets with none are left out. Deliveries the purge
   * removed still count, in the bucket of the start of the hour they were created in (exact for
   * buckets of whole hours that start on the hour).
   */
  List<DeliveryCount> deliveryCounts(
      long workspaceId, Instant since, java.time.Duration bucket, int buckets);

  // ---- the queue

  /**
   * Claims up to {@code limit} due background deliveries for {@code owner} until {@code
   * leaseUntil}, in one statement: oldest due first, skipping disabled endpoints, deliveries
   * waiting behind an earlier one on a FIFO endpoint, and endpoints already at their in-flight
   * limit. Claimed deliveries are {@code SENDING}.
   */
  List<Delivery> claimDue(String owner, Instant now, Instant leaseUntil, int limit);

  /**
   * Puts back in the queue the deliveries whose lease ran out (their node died or stopped renewing
   * its leases), except {@code self}'s own, which it is still sending; returns how many.
   */
  int releaseExpiredLeases(String self, Instant now);

  /**
   * Extends to {@code until} the leases of {@code owner} that end before {@code renewBefore}: a
   * live node keeps what it is sending, however long the send takes; returns how many.
   */
  int renewLeases(String owner, Instant renewBefore, Instant until);

  /** Puts the deliveries {@code owner} still holds back in the queue, due now (shutdown). */
  int releaseOwned(String owner, Instant now);

  /** Sends a finished background delivery again, now; false if it is not finished. */
  boolean requeue(long deliveryId, Instant now);

  /**
   * Sends again every failed delivery of {@code contract} on an endpoint created since {@code
   * since}; how many. (Deliveries of another contract on it are never sent again.)
   */
  int requeueFailed(long endpointId, Contract contract, Instant since, Instant now);

  /** How many deliveries are in each state, finished ones included: reads the whole history. */
  java.util.Map<DeliveryState, Long> countByState();

  /**
   * How many deliveries wait ({@code PENDING}) and are being sent ({@code SENDING}), for metrics:
   * reads only the queue's partial indexes, so its cost follows the queue, not the history kept.
   */
  java.util.Map<DeliveryState, Long> countQueued();

  /**
   * One endpoint's backlog, for metrics: its deliveries not yet finished (pending or being sent)
   * and when the oldest of them was made (null: none).
   */
  record Backlog(
      long endpointId, String appClientId, boolean disabled, long waiting, Instant oldest) {}

  /**
   * The backlog of every endpoint that is disabled or has unfinished deliveries, in one grouped
   * read; endpoints with neither are left out.
   */
  List<Backlog> backlogs();

  // ---- endpoints

  /**
   * The endpoint for an app and URL, made of {@code kind} (enabled, defaults) if there is none. One
   * that exists is returned whatever its kind: the caller decides what a clash means.
   */
  Endpoint endpointFor(long workspaceId, long appId, String url, Endpoint.Kind kind, Instant now);

  Optional<Endpoint> endpoint(long id);

  /** Several endpoints at once, by id; ids that do not exist are left out. */
  java.util.Map<Long, Endpoint> endpointsById(java.util.Collection<Long> ids);

  List<Endpoint> endpoints(long workspaceId);

  Endpoint updateEndpoint(
      long id, boolean fifo, int maxInFlight, List<String> eventTypes, Instant now);

  /** Records that an endpoint started failing at {@code since}, or (null) that it recovered. */
  void setEndpointFailingSince(long id, Instant since);

  /**
   * Disables an endpoint that is enabled; false if it already was disabled (another node's record
   * got there first), so that one disabling is announced once.
   */
  boolean disableEndpoint(long id, String reason, Instant now);

  void enableEndpoint(long id, Instant now);
}
