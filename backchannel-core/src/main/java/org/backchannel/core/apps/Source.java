package org.backchannel.core.apps;

import java.time.Instant;

/** An app installed into one flow; its secret flow token lets the app post there. */
public record Source(
    long id, long appId, long flowId, String name, Instant createdAt, Instant revokedAt) {
  public boolean revoked() {
    return revokedAt != null;
  }
}
