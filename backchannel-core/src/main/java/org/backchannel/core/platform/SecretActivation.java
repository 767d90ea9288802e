package org.backchannel.core.platform;

import java.time.Instant;

/**
 * A pending secret made current at {@code activatedAt}; the one it replaced signs Standard Webhooks
 * headers until {@code previousExpiresAt} (null: it stopped at once).
 */
public record SecretActivation(Instant activatedAt, Instant previousExpiresAt) {}
