package org.backchannel.core.delivery;

import java.time.Instant;

/** Which deliveries of a workspace to list; null members do not filter. */
public record DeliveryFilter(
    long workspaceId,
    Long appId,
    Long endpointId,
    DeliveryState state,
    Instant since,
    Instant until) {
  public DeliveryFilter(
      long workspaceId, Long appId, DeliveryState state, Instant since, Instant until) {
    this(workspaceId, appId, null, state, since, until);
  }
}
