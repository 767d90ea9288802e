package org.backchannel.core.platform;

import java.time.Instant;

/**
 * Where an app's secret rotation stands: since when a new secret has been pending (null: none is),
 * and until when the secret it last replaced still signs Standard Webhooks headers (null: it does
 * not).
 */
public record SecretState(Instant pendingSince, Instant previousExpiresAt) {
  public static final SecretState NONE = new SecretState(null, null);
}
