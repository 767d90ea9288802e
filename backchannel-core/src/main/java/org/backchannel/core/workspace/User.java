package org.backchannel.core.workspace;

import java.time.Instant;

/**
 * A person in a workspace. Admins manage the workspace; members act in the flows they belong to.
 * Someone who has left is deactivated rather than deleted ({@code deactivatedAt} set): they can no
 * longer sign in or use the API, while their name stays on what they did.
 *
 * <p>A user reached through an app's OAuth access token carries the grant's {@link Delegation}:
 * such a caller is never an admin, and sees only the flow a flow-scoped grant names.
 */
public record User(
    long id,
    long workspaceId,
    String name,
    String email,
    String avatar,
    Role role,
    Instant createdAt,
    Instant deactivatedAt,
    Delegation delegation) {

  public User(
      long id,
      long workspaceId,
      String name,
      String email,
      String avatar,
      Role role,
      Instant createdAt,
      Instant deactivatedAt) {
    this(id, workspaceId, name, email, avatar, role, createdAt, deactivatedAt, null);
  }

  public enum Role {
    ADMIN,
    MEMBER
  }

  /** Whether the caller may manage the workspace: an admin, acting with their own token. */
  public boolean isAdmin() {
    return role == Role.ADMIN && delegation == null;
  }

  /** This person acting through an app's grant. */
  public User through(Delegation grant) {
    return new User(id, workspaceId, name, email, avatar, role, createdAt, deactivatedAt, grant);
  }

  /** Whether this caller may reach {@code flowId} at all (a member must still belong to it). */
  public boolean reaches(long flowId) {
    return delegation == null || delegation.reaches(flowId);
  }

  public boolean isActive() {
    return deactivatedAt == null;
  }
}
