package org.backchannel.core.workspace;

import java.time.Instant;

/**
 * A person in a workspace. Admins manage the workspace; members act in the flows they belong to.
 */
public record User(
    long id,
    long workspaceId,
    String name,
    String email,
    String avatar,
    Role role,
    Instant createdAt) {

  public enum Role {
    ADMIN,
    MEMBER
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }
}
