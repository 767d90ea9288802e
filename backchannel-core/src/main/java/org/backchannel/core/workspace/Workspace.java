package org.backchannel.core.workspace;

import java.time.Instant;

/** A tenant: its users, flows and apps see nothing of any other workspace. */
public record Workspace(long id, String name, Instant createdAt) {}
