package org.backchannel.core.apps;

import java.time.Instant;

/**
 * An app installed into one flow; its secret flow token lets the app post there. A source an app
 * made for itself under a person's OAuth grant names the grant and the person ({@code grantId},
 * {@code createdBy}); one an admin made names neither.
 */
public record Source(
    long id,
    long appId,
    long flowId,
    String name,
    Instant createdAt,
    Instant revokedAt,
    Long grantId,
    Long createdBy,
    String externalUrl) {
  public Source(
      long id, long appId, long flowId, String name, Instant createdAt, Instant revokedAt) {
    this(id, appId, flowId, name, createdAt, revokedAt, null, null, null);
  }

  public boolean revoked() {
    return revokedAt != null;
  }
}
