package org.backchannel.core.delivery;

import java.time.Instant;
import java.util.List;

/**
 * Where an app's background deliveries go: one per app and URL. {@code fifo} makes each delivery
 * wait until the one before it succeeded or finally failed; {@code maxInFlight} bounds how many are
 * sent at once; {@code eventTypes} (empty: all) are the native events it subscribes to. A disabled
 * endpoint is not called until an operator enables it again.
 */
public record Endpoint(
    long id,
    long workspaceId,
    long appId,
    String url,
    boolean fifo,
    int maxInFlight,
    List<String> eventTypes,
    Instant disabledAt,
    String disabledReason,
    Instant failingSince,
    Instant createdAt,
    Instant updatedAt) {
  public Endpoint {
    eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  /** This endpoint as recorded after {@code failingSince} changed (null: it succeeds again). */
  Endpoint withFailingSince(Instant since) {
    return new Endpoint(
        id,
        workspaceId,
        appId,
        url,
        fifo,
        maxInFlight,
        eventTypes,
        disabledAt,
        disabledReason,
        since,
        createdAt,
        updatedAt);
  }

  /** This endpoint as recorded after it was disabled at {@code now}. */
  Endpoint withDisabled(String reason, Instant now) {
    return new Endpoint(
        id,
        workspaceId,
        appId,
        url,
        fifo,
        maxInFlight,
        eventTypes,
        now,
        reason,
        failingSince,
        createdAt,
        now);
  }

  public boolean subscribes(String eventType) {
    return eventTypes.isEmpty() || eventTypes.contains(eventType);
  }
}
