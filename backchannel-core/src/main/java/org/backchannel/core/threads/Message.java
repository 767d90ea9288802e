package org.backchannel.core.threads;

import java.time.Instant;

/**
 * One message in a flow: an {@code activity}, a {@code discussion} comment or a plain {@code
 * message}. {@code body} is HTML for activities and discussions, and {@code content} text for
 * messages.
 */
public record Message(
    long id,
    long flowId,
    Long threadId,
    Long sourceId,
    Long userId,
    String event,
    Author author,
    String title,
    String body,
    Instant createdAt) {}
