package org.backchannel.core.workspace;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Storage of workspaces, users, flows and memberships. */
public interface WorkspaceStore {
  Workspace insertWorkspace(String name, Instant now);

  Optional<Workspace> workspace(long id);

  List<Workspace> workspaces();

  /** Inserts a user with the SHA-256 of their API token; fails on a duplicate email. */
  User insertUser(
      long workspaceId,
      String name,
      String email,
      String avatar,
      User.Role role,
      String tokenHash,
      Instant now);

  Optional<User> user(long id);

  Optional<User> userByEmail(long workspaceId, String email);

  Optional<User> userByTokenHash(String tokenHash);

  List<User> users(long workspaceId);

  void setUserTokenHash(long userId, String tokenHash);

  void setUserRole(long userId, User.Role role);

  /**
   * Deactivates a user as of {@code at}, or reactivates them when {@code at} is null; the API token
   * is replaced by {@code tokenHash} (null: none, so no old token can come back).
   */
  void setUserDeactivated(long userId, Instant at, String tokenHash);

  Flow insertFlow(long workspaceId, String name, Instant now);

  Optional<Flow> flow(long id);

  Optional<Flow> flowByName(long workspaceId, String name);

  /** Every flow of the workspace, by name. */
  List<Flow> flows(long workspaceId);

  /** The flows {@code userId} is a member of, by name. */
  List<Flow> flowsOfMember(long userId);

  /** Adds a member; adding one twice changes nothing. */
  void addMember(long flowId, long userId, Instant now);

  /** Removes a member; returns whether they were one. */
  boolean removeMember(long flowId, long userId);

  boolean isMember(long flowId, long userId);

  List<User> members(long flowId);
}
