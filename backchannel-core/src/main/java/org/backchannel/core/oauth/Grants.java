package org.backchannel.core.oauth;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.Source;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * People's grants as they see and control them: their own, a flow's, and (for admins) every grant,
 * the record of grants and revocations, the workspace's install policy and the app directory.
 *
 * <p>All of it takes a person acting with their own token or session: an app acting for someone (an
 * OAuth access token) may neither see nor change grants, so that no app can widen or hide what it
 * was given.
 */
public final class Grants {
  /** What the record of grant events shows at most per request. */
  public static final int MAX_EVENTS = 500;

  static final String REVOKED = "revoked";

  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;

  public Grants(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }

  // ---- a person's own

  /** The caller's live grants, newest first. */
  public List<GrantView> mine(User caller) {
    requirePerson(caller);
    return store.read(
        tx -> {
          Names names = Names.of(tx, caller.workspaceId());
          return tx.store(OAuthStore.class).grantsOfUser(caller.id(), false).stream()
              .filter(g -> g.workspaceId() == caller.workspaceId())
              .map(names::view)
              .toList();
        });
  }

  /**
   * Revokes one of the caller's own grants, with every token and source made under it. Another
   * person's grant does not exist for them (404); revoking twice changes nothing.
   */
  public GrantView revokeMine(User caller, long grantId) {
    requirePerson(caller);
    return revoke(caller, grantId, g -> g.userId() == caller.id());
  }

  // ---- a flow's

  /**
   * The apps of a flow the caller is a member of: its sources that post (one made under a grant
   * only while the grant holds) and the grants that name it, each with who added it.
   */
  public FlowApps flowApps(User caller, long flowId) {
    requirePerson(caller);
    return store.read(
        tx -> {
          Flow flow = Directory.memberFlow(tx, caller, flowId);
          Names names = Names.of(tx, caller.workspaceId());
          OAuthStore oauth = tx.store(OAuthStore.class);
          WorkspaceStore people = tx.store(WorkspaceStore.class);
          List<GrantView> grants =
              oauth.grantsOfFlow(flowId).stream()
                  .filter(g -> holds(people, g, flowId))
                  .map(names::view)
                  .toList();
          List<FlowApps.Posting> sources =
              oauth.sourcesOfFlow(flowId).stream()
                  .filter(
                      s ->
                          s.grantId() == null
                              || oauth
                                  .grant(s.grantId())
                                  .filter(g -> !g.revoked() && holds(people, g, flowId))
                                  .isPresent())
                  .map(s -> names.posting(s))
                  .toList();
          return new FlowApps(flow, sources, grants);
        });
  }

  /** Whether a grant's person can still use it in the flow: active and still a member. */
  private static boolean holds(WorkspaceStore people, Grant g, long flowId) {
    return people.user(g.userId()).filter(User::isActive).isPresent()
        && people.isMember(flowId, g.userId());
  }

  // ---- admins

  /** Every grant of the workspace, newest first; revoked ones too if {@code withRevoked}. */
  public List<GrantView> all(User caller, boolean withRevoked) {
    Directory.requireAdmin(caller);
    return store.read(
        tx -> {
          Names names = Names.of(tx, caller.workspaceId());
          return tx
              .store(OAuthStore.class)
              .grantsOfWorkspace(caller.workspaceId(), withRevoked)
              .stream()
              .map(names::view)
              .toList();
        });
  }

  /** Revokes any grant of the workspace (admins), recorded with the admin as who did it. */
  public GrantView revoke(User caller, long grantId) {
    Directory.requireAdmin(caller);
    return revoke(caller, grantId, g -> true);
  }

  /** The record of grants and revocations, newest first: at most {@code limit} entries. */
  public List<GrantEventView> events(User caller, int limit) {
    Directory.requireAdmin(caller);
    if (limit < 1 || limit > MAX_EVENTS) {
      throw Problem.Invalid.of("limit", "must be from 1 to " + MAX_EVENTS);
    }
    return store.read(
        tx -> {
          Names names = Names.of(tx, caller.workspaceId());
          OAuthStore oauth = tx.store(OAuthStore.class);
          return oauth.events(caller.workspaceId(), limit).stream()
              .map(
                  e ->
                      new GrantEventView(
                          e,
                          names.view(oauth.grant(e.grantId()).orElseThrow()),
                          e.actorId() == null ? null : names.user(e.actorId())))
              .toList();
        });
  }

  /** Which apps the caller's workspace lets people authorise by themselves. */
  public InstallPolicy policy(User caller) {
    return store.read(tx -> tx.store(OAuthStore.class).policy(caller.workspaceId()));
  }

  /** Sets the workspace's install policy (admins); grants given before stay as they are. */
  public InstallPolicy setPolicy(User caller, InstallPolicy policy) {
    Directory.requireAdmin(caller);
    if (policy == null) {
      throw Problem.Invalid.of("install_policy", POLICY_REASON);
    }
    return store.transaction(
        tx -> {
          tx.store(OAuthStore.class).setPolicy(caller.workspaceId(), policy);
          return tx.store(OAuthStore.class).policy(caller.workspaceId());
        });
  }

  private static final String POLICY_REASON = "must be any, approved or none";

  /**
   * An install policy as sent ({@code any}, {@code approved} or {@code none}).
   *
   * @throws Problem.Invalid naming {@code install_policy} for anything else
   */
  public static InstallPolicy policy(String wire) {
    return InstallPolicy.of(wire == null ? "" : wire.strip().toLowerCase(Locale.ROOT))
        .orElseThrow(() -> Problem.Invalid.of("install_policy", POLICY_REASON));
  }

  // ---- the directory

  /** The workspace's approved apps, by name, for anyone in it to add. */
  public List<ListedApp> directory(User caller) {
    requirePerson(caller);
    return store.read(
        tx -> {
          OAuthStore oauth = tx.store(OAuthStore.class);
          return tx.store(AppStore.class).apps(caller.workspaceId()).stream()
              .flatMap(
                  a ->
                      oauth
                          .client(a.id())
                          .filter(OAuthClient::approved)
                          .map(c -> new ListedApp(a, c.description(), c.installUrl()))
                          .stream())
              .sorted(
                  Comparator.comparing(
                          (ListedApp l) -> l.app().name(), String.CASE_INSENSITIVE_ORDER)
                      .thenComparing(l -> l.app().id()))
              .toList();
        });
  }

  /**
   * Ends, in the departure's transaction, what a person authorised where they no longer are: every
   * grant when they are deactivated, those naming the flow when they leave it. Reactivating them or
   * adding them back does not bring a grant back; they authorise the app again.
   */
  public void revokeOnDeparture(Tx tx, User by, long userId, Long flowId) {
    OAuthStore oauth = tx.store(OAuthStore.class);
    Instant now = clock.instant();
    for (Grant g : oauth.grantsOfUser(userId, false)) {
      if (flowId == null || flowId.equals(g.flowId())) {
        oauth.revokeGrant(g.id(), by.id(), now);
        String why = flowId == null ? "person deactivated" : "person left the flow";
        oauth.insertEvent(g.workspaceId(), g.id(), by.id(), REVOKED, why, now);
      }
    }
  }

  // ---- plumbing

  private GrantView revoke(User caller, long grantId, java.util.function.Predicate<Grant> may) {
    return store.transaction(
        tx -> {
          OAuthStore oauth = tx.store(OAuthStore.class);
          Grant grant =
              oauth
                  .grant(grantId)
                  .filter(g -> g.workspaceId() == caller.workspaceId())
                  .filter(may)
                  .orElseThrow(() -> new Problem.NotFound("grant " + grantId));
          var now = clock.instant();
          // Only the revocation that ended it is recorded: revoking twice changes nothing.
          if (oauth.revokeGrant(grant.id(), caller.id(), now)) {
            oauth.insertEvent(caller.workspaceId(), grant.id(), caller.id(), REVOKED, null, now);
          }
          return Names.of(tx, caller.workspaceId()).view(oauth.grant(grantId).orElseThrow());
        });
  }

  /** Grants are a person's own business: an app acting for them may not touch them. */
  private static void requirePerson(User caller) {
    if (caller.delegation() != null) {
      throw new Problem.Forbidden(
          "an app's access token cannot see or change grants: use your own API token");
    }
  }

  /** The workspace's apps, people and flows by id, read once per request. */
  private record Names(Map<Long, App> apps, Map<Long, User> users, Map<Long, Flow> flows) {
    static Names of(Tx tx, long workspaceId) {
      WorkspaceStore ws = tx.store(WorkspaceStore.class);
      return new Names(
          byId(tx.store(AppStore.class).apps(workspaceId), App::id),
          byId(ws.users(workspaceId), User::id),
          byId(ws.flows(workspaceId), Flow::id));
    }

    private static <T> Map<Long, T> byId(List<T> items, Function<T, Long> id) {
      return items.stream().collect(Collectors.toMap(id, x -> x));
    }

    User user(long id) {
      return users.get(id);
    }

    GrantView view(Grant g) {
      return new GrantView(
          g,
          apps.get(g.appId()),
          users.get(g.userId()),
          g.flowId() == null ? null : flows.get(g.flowId()),
          g.revokedBy() == null ? null : users.get(g.revokedBy()));
    }

    FlowApps.Posting posting(Source s) {
      return new FlowApps.Posting(
          s, apps.get(s.appId()), s.createdBy() == null ? null : users.get(s.createdBy()));
    }
  }
}
