package org.backchannel.core.platform;

import java.time.Instant;

/**
 * A person's install of an app. Its install token (kept only as a hash) lets the app act as that
 * person until the install is revoked by uninstalling.
 */
public record Install(long id, long appId, long userId, Instant createdAt, Instant revokedAt) {
  public boolean revoked() {
    return revokedAt != null;
  }
}
