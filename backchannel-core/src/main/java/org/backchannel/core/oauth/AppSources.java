package org.backchannel.core.oauth;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.backchannel.core.Created;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.Source;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Delegation;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.Scope;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * Sources the Flowdock way: an app with a flow:post grant makes its own source in the grant's flow
 * and receives its flow token once; it lists and deletes its own sources there. Only an app acting
 * through a grant does this: a person's own token is refused, and admins make sources for any app
 * with {@code POST /api/v1/sources}.
 */
public final class AppSources {
  static final int MAX_NAME = 100;
  static final int MAX_URL = 2000;

  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;

  public AppSources(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }

  /**
   * Makes a source for the calling app in the grant's flow; its flow token is shown this once.
   *
   * @throws Problem.NotFound for any flow but the grant's (or one its person has left)
   */
  public Created<Source> create(User caller, long flowId, String name, String externalUrl) {
    Delegation d = grantOf(caller);
    Instant now = clock.instant();
    String token = Tokens.newFlowToken();
    Source source =
        store.transaction(
            tx -> {
              Grant grant = grantFlow(tx, caller, d, flowId);
              Validation v = new Validation();
              if (v.required("name", name)) {
                v.maxLength("name", name, MAX_NAME);
              }
              v.httpUrl("external_url", externalUrl);
              v.maxLength("external_url", externalUrl, MAX_URL);
              v.throwIfInvalid();
              return tx.store(OAuthStore.class)
                  .insertSource(grant, name.strip(), externalUrl, Tokens.hash(token), now);
            });
    return new Created<>(source, token);
  }

  /**
   * The calling app's sources in the grant's flow that can post now, oldest first: those an admin
   * made for it there, and those made under a grant that still holds.
   */
  public List<Source> list(User caller, long flowId) {
    Delegation d = grantOf(caller);
    return store.read(
        tx -> {
          grantFlow(tx, caller, d, flowId);
          return tx.store(OAuthStore.class).sourcesOfApp(d.appId(), flowId).stream()
              .filter(s -> posts(tx, s))
              .toList();
        });
  }

  /**
   * Revokes one of the calling app's sources in the grant's flow: its flow token stops at once.
   * Returns it as it is now.
   *
   * @throws Problem.NotFound for another app's source, one in another flow, or one already gone
   */
  public Source delete(User caller, long flowId, long sourceId) {
    Delegation d = grantOf(caller);
    return store.transaction(
        tx -> {
          grantFlow(tx, caller, d, flowId);
          AppStore apps = tx.store(AppStore.class);
          apps.source(sourceId)
              .filter(s -> s.appId() == d.appId() && s.flowId() == flowId && !s.revoked())
              .filter(s -> posts(tx, s))
              .orElseThrow(() -> new Problem.NotFound("source " + sourceId));
          apps.revokeSource(sourceId, clock.instant());
          return apps.source(sourceId).orElseThrow();
        });
  }

  /** The caller's grant, if it is an app with flow:post; a person's own token is refused. */
  private static Delegation grantOf(User caller) {
    Delegation d = caller.delegation();
    if (d == null) {
      throw new Problem.Forbidden(
          "these routes are for apps acting through a person's grant (an OAuth access token with"
              + " flow:post); admins make sources with POST /api/v1/sources");
    }
    if (!d.allows(Scope.FLOW_POST)) {
      throw new Problem.Forbidden(
          "the app's access token does not have the scope " + Scope.FLOW_POST.wire(),
          Map.of("scope", List.of("requires " + Scope.FLOW_POST.wire())));
    }
    return d;
  }

  /** The live grant, if {@code flowId} is its flow and its person is still in it. */
  private static Grant grantFlow(Tx tx, User caller, Delegation d, long flowId) {
    Directory.memberFlow(tx, caller, flowId);
    return tx.store(OAuthStore.class)
        .grant(d.grantId())
        .filter(g -> !g.revoked() && g.flowId() != null && g.flowId() == flowId)
        .orElseThrow(() -> new Problem.NotFound("flow " + flowId));
  }

  /**
   * Whether a source posts now: one an admin made does until revoked; one made under a grant only
   * while the grant holds (as the store checks on every post).
   */
  private static boolean posts(Tx tx, Source s) {
    if (s.grantId() == null) {
      return true;
    }
    WorkspaceStore people = tx.store(WorkspaceStore.class);
    return tx.store(OAuthStore.class)
        .grant(s.grantId())
        .filter(g -> !g.revoked())
        .flatMap(g -> people.user(g.userId()))
        .filter(User::isActive)
        .filter(u -> people.isMember(s.flowId(), u.id()))
        .isPresent();
  }
}
