package org.backchannel.core.delivery;

/**
 * A delivery after one attempt: the row (read again after an interactive attempt; as claimed for a
 * queued one), the attempt as recorded, and what it meant.
 */
public record Delivered(Delivery delivery, Attempt attempt, Outcome outcome) {}
