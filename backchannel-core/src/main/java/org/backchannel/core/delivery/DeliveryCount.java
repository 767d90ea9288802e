package org.backchannel.core.delivery;

import java.time.Instant;

/**
 * How many deliveries were made in one time bucket starting at {@code start}, and how many of them
 * have finally failed.
 */
public record DeliveryCount(Instant start, long total, long failed) {}
