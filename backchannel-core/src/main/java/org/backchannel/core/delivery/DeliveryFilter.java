package org.backchannel.core.delivery;

import java.time.Instant;

/**
 * Which deliveries of a workspace to list; null members do not filter. {@code since} is inclusive,
 * {@code until} exclusive; {@code event} is the exact event type.
 */
public record DeliveryFilter(
    long workspaceId,
    Long appId,
    Long endpointId,
    DeliveryState state,
    Instant since,
    Instant until,
    String event) {
  public DeliveryFilter(
      long workspaceId,
      Long appId,
      Long endpointId,
      DeliveryState state,
      Instant since,
      Instant until) {
    this(workspaceId, appId, endpointId, state, since, until, null);
  }

  public DeliveryFilter(
      long workspaceId, Long appId, DeliveryState state, Instant since, Instant until) {
    this(workspaceId, appId, null, state, since, until, null);
  }
}
