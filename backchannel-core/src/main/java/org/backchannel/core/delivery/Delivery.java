package org.backchannel.core.delivery;

import java.time.Instant;

/**
 * One call Backchannel owes an app, across all its attempts. {@code messageId} is the stable {@code
 * webhook-id}; {@code actorUserId} is the person the call is made for (a token's subject, written
 * by {@link Contract#actor}). The body lives apart from this row, so the queue stays small.
 * Background deliveries go to an {@link Endpoint}; interactive ones have none.
 */
public record Delivery(
    long id,
    long workspaceId,
    long appId,
    String messageId,
    Contract contract,
    String event,
    String method,
    String url,
    Long actorUserId,
    boolean interactive,
    DeliveryState state,
    int attemptCount,
    Instant nextAttemptAt,
    Instant createdAt,
    Instant updatedAt,
    String summary,
    Long endpointId) {}
