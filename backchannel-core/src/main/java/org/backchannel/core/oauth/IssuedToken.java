package org.backchannel.core.oauth;

import java.time.Instant;

/** An access or refresh token as stored (its value only hashed). */
public record IssuedToken(
    long id,
    long grantId,
    Kind kind,
    Instant createdAt,
    Instant expiresAt,
    Instant usedAt,
    Instant revokedAt) {

  public enum Kind {
    ACCESS,
    REFRESH
  }

  /** Whether the token may still be presented at {@code now}: not revoked, used or expired. */
  public boolean live(Instant now) {
    return revokedAt == null && usedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }
}
