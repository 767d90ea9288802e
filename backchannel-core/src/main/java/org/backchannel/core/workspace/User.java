package org.backchannel.core.workspace;

import java.time.Instant;

/**
 * A person in a workspace. Admins manage the workspace; members act in the flows they belong to.
 * Someone who has left is deactivated rather than deleted ({@code deactivatedAt} set): they can no
 * longer sign in or use the API, while their name stays on what they did.
 */
public record User(
    long id,
    long workspaceId,
    String name,
    String email,
    String avatar,
    Role role,
    Instant createdAt,
    Instant deactivatedAt) {

  public enum Role {
    ADMIN,
    MEMBER
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  public boolean isActive() {
    return deactivatedAt == null;
  }
}
