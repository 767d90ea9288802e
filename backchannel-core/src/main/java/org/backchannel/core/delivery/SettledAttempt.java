package org.backchannel.core.delivery;

import java.time.Instant;

/** An attempt to record, with the state it leaves its delivery in (next due time if pending). */
public record SettledAttempt(
    Attempt attempt, DeliveryState state, Instant nextAttemptAt, String summary) {}
