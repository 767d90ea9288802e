package org.backchannel.core.delivery;

/** A delivery after one attempt: the updated row, the attempt as recorded, and what it meant. */
public record Delivered(Delivery delivery, Attempt attempt, Outcome outcome) {}
