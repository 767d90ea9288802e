package org.backchannel.core.threads;

import java.time.Instant;

/** A message to write: into a flow, in a thread or not, from an app's source or a person. */
public record NewMessage(
    long flowId,
    Long threadId,
    Long sourceId,
    Long userId,
    String event,
    Author author,
    String title,
    String body,
    Instant at) {}
