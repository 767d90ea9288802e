package org.backchannel.core.workspace;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.Created;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.web.WebStore;

/** Workspaces, people, flows and who belongs to which; and who a token belongs to. */
public final class Directory {
  private final Store store;
  private final InstantSource clock;

  /** How long this node trusts what it read of an API token (see {@link TokenCache}). */
  public static final Duration TOKEN_CACHE = Duration.ofSeconds(1);

  private final TokenCache tokens;
  private volatile Departures departures = (tx, by, userId, flowId) -> {};

  public Directory(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
    this.tokens = new TokenCache(clock, TOKEN_CACHE);
  }

  /** Creates a workspace with its first admin; for the command line, which has the database. */
  public Created<User> bootstrap(String workspaceName, String adminName, String adminEmail) {
    Validation v = new Validation();
    if (v.required("workspace", workspaceName)) {
      v.maxLength("workspace", workspaceName, 100);
    }
    checkPerson(v, adminName, adminEmail, null);
    v.throwIfInvalid();
    String token = Tokens.newApiToken();
    User admin =
        changePeople(
            tx -> {
              Workspace ws =
                  tx.store(WorkspaceStore.class)
                      .insertWorkspace(workspaceName.strip(), clock.instant());
              return tx.store(WorkspaceStore.class)
                  .insertUser(
                      ws.id(),
                      adminName.strip(),
                      normalEmail(adminEmail),
                      null,
                      User.Role.ADMIN,
                      Tokens.hash(token),
                      clock.instant());
            });
    return new Created<>(admin, token);
  }

  /**
   * The active user a personal API token belongs to. A deactivated person's token gets the same
   * answer as an unknown one, so the API does not tell who has left.
   */
  public User authenticate(String token) {
    if (token == null || token.isBlank()) {
      throw new Problem.Unauthorized("an API token is required: Authorization: Bearer <token>");
    }
    return tokens
        .get(
            Tokens.hash(token.strip()),
            hash -> store.read(tx -> tx.store(WorkspaceStore.class).userByTokenHash(hash)))
        .filter(User::isActive)
        .orElseThrow(() -> new Problem.Unauthorized("the API token is not valid"));
  }

  public Workspace workspace(User caller) {
    return store
        .read(tx -> tx.store(WorkspaceStore.class).workspace(caller.workspaceId()))
        .orElseThrow();
  }

  /** Adds a person to the caller's workspace (admins only); their API token is shown once. */
  public Created<User> createUser(
      User caller, String name, String email, String avatar, User.Role role) {
    requireAdmin(caller);
    Validation v = new Validation();
    checkPerson(v, name, email, avatar);
    v.throwIfInvalid();
    String token = Tokens.newApiToken();
    User user =
        changePeople(
            tx -> {
              if (tx.store(WorkspaceStore.class)
                  .userByEmail(caller.workspaceId(), normalEmail(email))
                  .isPresent()) {
                throw Problem.Invalid.of("email", "is already taken in this workspace");
              }
              return tx.store(WorkspaceStore.class)
                  .insertUser(
                      caller.workspaceId(),
                      name.strip(),
                      normalEmail(email),
                      avatar,
                      role == null ? User.Role.MEMBER : role,
                      Tokens.hash(token),
                      clock.instant());
            });
    return new Created<>(user, token);
  }

  /**
   * Replaces a user's API token (their own, or anyone's for an admin); the old one stops working.
   */
  public Created<User> rotateToken(User caller, long userId) {
    User user = userInWorkspace(caller, userId);
    if (!caller.isAdmin() && caller.id() != userId) {
      throw new Problem.Forbidden("only admins may replace another person's token");
    }
    if (!user.isActive()) {
      throw new Problem.Conflict("user " + userId + " is deactivated: reactivate them instead");
    }
    String token = Tokens.newApiToken();
    changePeople(
        tx -> {
          tx.store(WorkspaceStore.class).setUserTokenHash(userId, Tokens.hash(token));
          return null;
        });
    return new Created<>(user, token);
  }

  /**
   * Makes a person an admin or a member (admins only). The last admin cannot step down: someone has
   * to be able to manage the workspace.
   */
  public User changeRole(User caller, long userId, User.Role role) {
    requireAdmin(caller);
    if (role == null) {
      throw Problem.Invalid.of("role", "must be admin or member");
    }
    User user = userInWorkspace(caller, userId);
    return changePeople(
        tx -> {
          if (user.isAdmin()
              && role != User.Role.ADMIN
              && activeAdmins(tx, caller.workspaceId()) == 1) {
            throw Problem.Invalid.of("role", "cannot be member: the workspace needs an admin");
          }
          tx.store(WorkspaceStore.class).setUserRole(userId, role);
          return tx.store(WorkspaceStore.class).user(userId).orElseThrow();
        });
  }

  /**
   * Deactivates a person who has left (admins only): their API token is dropped, their browser
   * sessions and setup links end at once, and everything they did stays, under their name. An admin
   * cannot deactivate themselves, nor the workspace's last active admin.
   */
  public User deactivate(User caller, long userId) {
    requireAdmin(caller);
    User user = userInWorkspace(caller, userId);
    if (user.id() == caller.id()) {
      throw Problem.Invalid.of("user", "cannot deactivate yourself: ask another admin");
    }
    return changePeople(
        (Tx tx) -> {
          User now = tx.store(WorkspaceStore.class).user(userId).orElseThrow();
          if (!now.isActive()) {
            return now; // already done: deactivating twice changes nothing
          }
          if (now.isAdmin() && activeAdmins(tx, caller.workspaceId()) == 1) {
            throw new Problem.Conflict(
                "user " + userId + " is the last active admin: the workspace needs one");
          }
          tx.store(WorkspaceStore.class).setUserDeactivated(userId, clock.instant(), null);
          tx.store(WebStore.class).deleteSessionsOf(userId);
          tx.store(WebStore.class).deleteSetupLinksOf(userId);
          departures.departed(tx, caller, userId, null);
          return tx.store(WorkspaceStore.class).user(userId).orElseThrow();
        });
  }

  /**
   * Lets a deactivated person back in (admins only). They keep their password, but get a new API
   * token, shown once: the one they had before stays dead, in case it leaked while they were gone.
   */
  public Created<User> reactivate(User caller, long userId) {
    requireAdmin(caller);
    userInWorkspace(caller, userId);
    String token = Tokens.newApiToken();
    User user =
        changePeople(
            (Tx tx) -> {
              if (tx.store(WorkspaceStore.class).user(userId).orElseThrow().isActive()) {
                throw new Problem.Conflict("user " + userId + " is not deactivated");
              }
              tx.store(WorkspaceStore.class).setUserDeactivated(userId, null, Tokens.hash(token));
              return tx.store(WorkspaceStore.class).user(userId).orElseThrow();
            });
    return new Created<>(user, token);
  }

  /** People who can be picked, as assignees or members: those who have not been deactivated. */
  public List<User> activeUsers(User caller) {
    return users(caller).stream().filter(User::isActive).toList();
  }

  public List<User> users(User caller) {
    return store.read(tx -> tx.store(WorkspaceStore.class).users(caller.workspaceId()));
  }

  public User userInWorkspace(User caller, long userId) {
    return store
        .read(tx -> tx.store(WorkspaceStore.class).user(userId))
        .filter(u -> u.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("user " + userId));
  }

  /** Creates a flow (admins only) with the given members; the creator is always one. */
  public Flow createFlow(User caller, String name, List<Long> memberIds) {
    requireAdmin(caller);
    Validation v = new Validation();
    if (v.required("name", name)) {
      v.maxLength("name", name, 100);
    }
    v.throwIfInvalid();
    List<Long> members = memberIds == null ? List.of() : memberIds;
    for (long id : members) {
      requireActive(userInWorkspace(caller, id));
    }
    return store.transaction(
        tx -> {
          if (tx.store(WorkspaceStore.class)
              .flowByName(caller.workspaceId(), name.strip())
              .isPresent()) {
            throw Problem.Invalid.of("name", "is already taken by another flow");
          }
          Flow flow =
              tx.store(WorkspaceStore.class)
                  .insertFlow(caller.workspaceId(), name.strip(), clock.instant());
          tx.store(WorkspaceStore.class).addMember(flow.id(), caller.id(), clock.instant());
          members.forEach(
              id -> tx.store(WorkspaceStore.class).addMember(flow.id(), id, clock.instant()));
          return flow;
        });
  }

  /**
   * Admins see every flow of the workspace; members the flows they belong to; an app acting for a
   * person the one flow its grant names, if it has one.
   */
  public List<Flow> flows(User caller) {
    List<Flow> flows =
        store.read(
            tx ->
                caller.isAdmin()
                    ? tx.store(WorkspaceStore.class).flows(caller.workspaceId())
                    : tx.store(WorkspaceStore.class).flowsOfMember(caller.id()));
    return flows.stream().filter(f -> caller.reaches(f.id())).toList();
  }

  /** A flow the caller is a member of; any other flow does not exist for them. */
  public Flow memberFlow(User caller, long flowId) {
    return store.read(tx -> memberFlow(tx, caller, flowId));
  }

  /** As {@link #memberFlow(User, long)}, inside a caller's transaction. */
  public static Flow memberFlow(Tx tx, User caller, long flowId) {
    Flow flow =
        tx.store(WorkspaceStore.class)
            .flow(flowId)
            .filter(f -> f.workspaceId() == caller.workspaceId())
            .orElseThrow(() -> new Problem.NotFound("flow " + flowId));
    if (!caller.reaches(flowId) || !tx.store(WorkspaceStore.class).isMember(flowId, caller.id())) {
      throw new Problem.NotFound("flow " + flowId);
    }
    return flow;
  }

  /** A flow of the caller's workspace, for admins managing it. */
  public Flow adminFlow(User caller, long flowId) {
    requireAdmin(caller);
    return store
        .read(tx -> tx.store(WorkspaceStore.class).flow(flowId))
        .filter(f -> f.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("flow " + flowId));
  }

  public List<User> members(User caller, long flowId) {
    if (caller.isAdmin()) {
      adminFlow(caller, flowId);
    } else {
      memberFlow(caller, flowId);
    }
    return store.read(tx -> tx.store(WorkspaceStore.class).members(flowId));
  }

  public void addMember(User caller, long flowId, long userId) {
    adminFlow(caller, flowId);
    requireActive(userInWorkspace(caller, userId));
    store.transaction(
        tx -> {
          tx.store(WorkspaceStore.class).addMember(flowId, userId, clock.instant());
          return null;
        });
  }

  public void removeMember(User caller, long flowId, long userId) {
    adminFlow(caller, flowId);
    userInWorkspace(caller, userId);
    store.transaction(
        tx -> {
          if (tx.store(WorkspaceStore.class).removeMember(flowId, userId)) {
            departures.departed(tx, caller, userId, flowId);
          }
          return null;
        });
  }

  /** Who is told when a person leaves a flow or is deactivated (one listener: the wiring's). */
  public void onDeparture(Departures listener) {
    this.departures = listener;
  }

  private static void requireActive(User user) {
    if (!user.isActive()) {
      throw new Problem.Conflict("user " + user.id() + " is deactivated");
    }
  }

  private static long activeAdmins(Tx tx, long workspaceId) {
    return tx.store(WorkspaceStore.class).users(workspaceId).stream()
        .filter(u -> u.isAdmin() && u.isActive())
        .count();
  }

  /** A transaction that changes people; what this node knows of tokens is dropped after it. */
  private <T> T changePeople(java.util.function.Function<Tx, T> work) {
    try {
      return store.transaction(work);
    } finally {
      tokens.clear();
    }
  }

  public static void requireAdmin(User caller) {
    if (!caller.isAdmin()) {
      throw new Problem.Forbidden("only workspace admins may do this");
    }
  }

  private static void checkPerson(Validation v, String name, String email, String avatar) {
    if (v.required("name", name)) {
      v.maxLength("name", name, 100);
    }
    if (v.required("email", email)) {
      v.maxLength("email", email, 254);
      if (!email.strip().matches("[^@\\s]+@[^@\\s]+")) {
        v.add("email", "must be an email address");
      }
    }
    v.httpUrl("avatar", avatar);
  }

  /** An email as it is stored and looked up: without surrounding spaces, in lower case. */
  public static String normalEmail(String email) {
    return email.strip().toLowerCase(Locale.ROOT);
  }
}
