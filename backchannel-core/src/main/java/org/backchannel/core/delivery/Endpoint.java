package org.backchannel.core.delivery;

import java.time.Instant;
import java.util.List;

/**
 * Where an app's background deliveries go: one per app and URL, of one {@link Kind} for good.
 * {@code fifo} makes each delivery wait until the one before it succeeded or finally failed; {@code
 * maxInFlight} bounds how many are sent at once; {@code eventTypes} (empty: all) are the native
 * events a webhook endpoint subscribes to. A disabled endpoint is not called until an operator
 * enables it again.
 */
public record Endpoint(
    long id,
    long workspaceId,
    long appId,
    Kind kind,
    String url,
    boolean fifo,
    int maxInFlight,
    List<String> eventTypes,
    Instant disabledAt,
    String disabledReason,
    Instant failingSince,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * What an endpoint receives, which is the one contract its deliveries speak. An app's Flock event
   * listener gets its Flock events, each with an event token, and nothing else: an app may skip
   * checking a request that carries no token, so a native event must never reach it.
   */
  public enum Kind {
    /** Native events (Standard Webhooks), by subscription. */
    WEBHOOK(Contract.NATIVE),
    /** An app's Flock event listener URL: its background Flock events only. */
    FLOCK_LISTENER(Contract.FLOCK);

    private final Contract contract;

    Kind(Contract contract) {
      this.contract = contract;
    }

    /** The contract of every delivery on an endpoint of this kind. */
    public Contract contract() {
      return contract;
    }

    /** The kind of endpoint that background calls of {@code contract} go to. */
    public static Kind of(Contract contract) {
      for (Kind k : values()) {
        if (k.contract == contract) {
          return k;
        }
      }
      throw new IllegalArgumentException(contract + " calls are never queued on an endpoint");
    }

    /** The name the API and the dashboard show: {@code webhook}, {@code flock_listener}. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Endpoint {
    eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  /** Whether a delivery of {@code contract} may go to this endpoint. */
  public boolean carries(Contract contract) {
    return kind.contract() == contract;
  }

  /** This endpoint as recorded after {@code failingSince} changed (null: it succeeds again). */
  Endpoint withFailingSince(Instant since) {
    return new Endpoint(
        id,
        workspaceId,
        appId,
        kind,
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
        kind,
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

  /** Whether a native event of this type goes here: never to a Flock listener. */
  public boolean subscribes(String eventType) {
    return kind == Kind.WEBHOOK && (eventTypes.isEmpty() || eventTypes.contains(eventType));
  }
}
