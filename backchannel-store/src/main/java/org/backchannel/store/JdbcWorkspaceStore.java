package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.core.workspace.WorkspaceStore;
import org.jdbi.v3.core.Handle;

/** Workspaces, users, flows and their members, on one transaction's handle. */
final class JdbcWorkspaceStore implements WorkspaceStore {
  private final Handle h;

  JdbcWorkspaceStore(Handle h) {
    this.h = h;
  }

  @Override
  public Workspace insertWorkspace(String name, Instant now) {
    return h.createQuery(
            "INSERT INTO workspaces (name, created_at) VALUES (:name, :now) RETURNING "
                + Rows.WORKSPACE)
        .bind("name", name)
        .bind("now", millis(now))
        .map(Rows.WORKSPACES)
        .one();
  }

  @Override
  public Optional<Workspace> workspace(long id) {
    return h.createQuery("SELECT " + Rows.WORKSPACE + " FROM workspaces WHERE id = :id")
        .bind("id", id)
        .map(Rows.WORKSPACES)
        .findOne();
  }

  @Override
  public List<Workspace> workspaces() {
    return h.createQuery("SELECT " + Rows.WORKSPACE + " FROM workspaces ORDER BY id")
        .map(Rows.WORKSPACES)
        .list();
  }

  @Override
  public User insertUser(
      long workspaceId,
      String name,
      String email,
      String avatar,
      User.Role role,
      String tokenHash,
      Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO users (workspace_id, name, email, avatar, role, token_hash,"
                        + " created_at) VALUES (:ws, :name, :email, :avatar, :role, :token, :now)"
                        + " RETURNING "
                        + Rows.USER)
                .bind("ws", workspaceId)
                .bind("name", name)
                .bind("email", email)
                .bind("avatar", avatar)
                .bind("role", role.name())
                .bind("token", tokenHash)
                .bind("now", millis(now))
                .map(Rows.USERS)
                .one(),
        Map.of(
            "email",
            "a user with email " + email + " already exists in this workspace",
            "token_hash",
            "that token is already in use"));
  }

  @Override
  public Optional<User> user(long id) {
    return h.createQuery("SELECT " + Rows.USER + " FROM users WHERE id = :id")
        .bind("id", id)
        .map(Rows.USERS)
        .findOne();
  }

  @Override
  public Optional<User> userByEmail(long workspaceId, String email) {
    return h.createQuery(
            "SELECT " + Rows.USER + " FROM users WHERE workspace_id = :ws AND email = :email")
        .bind("ws", workspaceId)
        .bind("email", email)
        .map(Rows.USERS)
        .findOne();
  }

  @Override
  public Optional<User> userByTokenHash(String tokenHash) {
    return h.createQuery("SELECT " + Rows.USER + " FROM users WHERE token_hash = :token")
        .bind("token", tokenHash)
        .map(Rows.USERS)
        .findOne();
  }

  @Override
  public List<User> users(long workspaceId) {
    return h.createQuery("SELECT " + Rows.USER + " FROM users WHERE workspace_id = :ws ORDER BY id")
        .bind("ws", workspaceId)
        .map(Rows.USERS)
        .list();
  }

  @Override
  public void setUserRole(long userId, User.Role role) {
    int updated =
        h.createUpdate("UPDATE users SET role = :role WHERE id = :id")
            .bind("role", role.name())
            .bind("id", userId)
            .execute();
    if (updated == 0) {
      throw new Problem.NotFound("user " + userId);
    }
  }

  @Override
  public void setUserTokenHash(long userId, String tokenHash) {
    int updated =
        Conflicts.translate(
            () ->
                h.createUpdate("UPDATE users SET token_hash = :token WHERE id = :id")
                    .bind("token", tokenHash)
                    .bind("id", userId)
                    .execute(),
            Map.of("token_hash", "that token is already in use"));
    if (updated == 0) {
      throw new Problem.NotFound("user " + userId);
    }
  }

  @Override
  public void setUserDeactivated(long userId, Instant at, String tokenHash) {
    int updated =
        Conflicts.translate(
            () ->
                h.createUpdate(
                        "UPDATE users SET deactivated_at = :at, token_hash = :token WHERE id = :id")
                    .bind("at", millis(at))
                    .bind("token", tokenHash)
                    .bind("id", userId)
                    .execute(),
            Map.of("token_hash", "that token is already in use"));
    if (updated == 0) {
      throw new Problem.NotFound("user " + userId);
    }
  }

  @Override
  public Flow insertFlow(long workspaceId, String name, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO flows (workspace_id, name, created_at) VALUES (:ws, :name, :now)"
                        + " RETURNING "
                        + Rows.FLOW)
                .bind("ws", workspaceId)
                .bind("name", name)
                .bind("now", millis(now))
                .map(Rows.FLOWS)
                .one(),
        Map.of("name", "a flow named " + name + " already exists in this workspace"));
  }

  @Override
  public Optional<Flow> flow(long id) {
    return h.createQuery("SELECT " + Rows.FLOW + " FROM flows WHERE id = :id")
        .bind("id", id)
        .map(Rows.FLOWS)
        .findOne();
  }

  @Override
  public Optional<Flow> flowByName(long workspaceId, String name) {
    return h.createQuery(
            "SELECT " + Rows.FLOW + " FROM flows WHERE workspace_id = :ws AND name = :name")
        .bind("ws", workspaceId)
        .bind("name", name)
        .map(Rows.FLOWS)
        .findOne();
  }

  @Override
  public List<Flow> flows(long workspaceId) {
    return h.createQuery(
            "SELECT " + Rows.FLOW + " FROM flows WHERE workspace_id = :ws ORDER BY name, id")
        .bind("ws", workspaceId)
        .map(Rows.FLOWS)
        .list();
  }

  @Override
  public List<Flow> flowsOfMember(long userId) {
    return h.createQuery(
            "SELECT f.id, f.workspace_id, f.name, f.created_at FROM flows f"
                + " JOIN flow_members m ON m.flow_id = f.id"
                + " WHERE m.user_id = :user ORDER BY f.name, f.id")
        .bind("user", userId)
        .map(Rows.FLOWS)
        .list();
  }

  @Override
  public void addMember(long flowId, long userId, Instant now) {
    h.createUpdate(
            "INSERT INTO flow_members (flow_id, user_id, created_at) VALUES (:flow, :user, :now)"
                + " ON CONFLICT DO NOTHING")
        .bind("flow", flowId)
        .bind("user", userId)
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public boolean removeMember(long flowId, long userId) {
    return h.createUpdate("DELETE FROM flow_members WHERE flow_id = :flow AND user_id = :user")
            .bind("flow", flowId)
            .bind("user", userId)
            .execute()
        > 0;
  }

  @Override
  public boolean isMember(long flowId, long userId) {
    return h.createQuery(
                "SELECT COUNT(*) FROM flow_members WHERE flow_id = :flow AND user_id = :user")
            .bind("flow", flowId)
            .bind("user", userId)
            .mapTo(Long.class)
            .one()
        > 0;
  }

  @Override
  public List<User> members(long flowId) {
    return h.createQuery(
            "SELECT u.id, u.workspace_id, u.name, u.email, u.avatar, u.role, u.created_at,"
                + " u.deactivated_at"
                + " FROM users u JOIN flow_members m ON m.user_id = u.id"
                + " WHERE m.flow_id = :flow ORDER BY u.id")
        .bind("flow", flowId)
        .map(Rows.USERS)
        .list();
  }
}
