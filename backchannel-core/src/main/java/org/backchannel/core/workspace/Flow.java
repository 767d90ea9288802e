package org.backchannel.core.workspace;

import java.time.Instant;

/** A channel: its members read its threads and act on them. */
public record Flow(long id, long workspaceId, String name, Instant createdAt) {}
