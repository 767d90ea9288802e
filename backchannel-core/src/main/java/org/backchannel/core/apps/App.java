package org.backchannel.core.apps;

import java.time.Instant;

/**
 * A third-party app registered in a workspace. Its secret is kept apart, encrypted, and never part
 * of this record.
 */
public record App(long id, long workspaceId, String name, String clientId, Instant createdAt) {}
