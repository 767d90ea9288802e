package org.backchannel.core.threads;

import java.time.Instant;

/**
 * A thread in a flow: every message one source posts with the same external thread id lands in it.
 */
public record FlowThread(
    long id,
    long flowId,
    long sourceId,
    String externalThreadId,
    ThreadData data,
    Instant createdAt,
    Instant updatedAt) {}
