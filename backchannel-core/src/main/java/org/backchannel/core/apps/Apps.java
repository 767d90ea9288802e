package org.backchannel.core.apps;

import java.time.InstantSource;
import java.util.List;
import org.backchannel.core.Created;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.sdk.AppSecret;

/** Registering apps and installing them into flows as sources. */
public final class Apps {
  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;

  public Apps(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }

  /** Registers an app (admins only); its generated secret is shown once. */
  public Created<App> createApp(User caller, String name, String clientId) {
    Directory.requireAdmin(caller);
    Validation v = new Validation();
    if (v.required("name", name)) {
      v.maxLength("name", name, 100);
    }
    if (clientId != null && !clientId.matches("[A-Za-z0-9._-]{1,64}")) {
      v.add("client_id", "must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    v.throwIfInvalid();
    AppSecret secret = AppSecret.generate();
    String id = clientId == null ? Tokens.newClientId() : clientId;
    App app =
        store.transaction(
            tx -> {
              if (tx.store(AppStore.class).apps(caller.workspaceId()).stream()
                  .anyMatch(a -> a.clientId().equals(id))) {
                throw Problem.Invalid.of("client_id", "is already taken");
              }
              return tx.store(AppStore.class)
                  .insertApp(
                      caller.workspaceId(),
                      name.strip(),
                      id,
                      box.seal(secret.value()),
                      clock.instant());
            });
    return new Created<>(app, secret.value());
  }

  public List<App> apps(User caller) {
    Directory.requireAdmin(caller);
    return store.read(tx -> tx.store(AppStore.class).apps(caller.workspaceId()));
  }

  public App app(User caller, long appId) {
    Directory.requireAdmin(caller);
    return store
        .read(tx -> tx.store(AppStore.class).app(appId))
        .filter(a -> a.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("app " + appId));
  }

  /** Installs an app into a flow (admins only); the source's flow token is shown once. */
  public Created<Source> createSource(User caller, long appId, long flowId, String name) {
    App app = app(caller, appId);
    directory.adminFlow(caller, flowId);
    Validation v = new Validation();
    v.maxLength("name", name, 100);
    v.throwIfInvalid();
    String token = Tokens.newFlowToken();
    String label = name == null || name.isBlank() ? app.name() : name.strip();
    Source source =
        store.transaction(
            tx ->
                tx.store(AppStore.class)
                    .insertSource(appId, flowId, label, Tokens.hash(token), clock.instant()));
    return new Created<>(source, token);
  }

  public List<Source> sources(User caller) {
    Directory.requireAdmin(caller);
    return store.read(tx -> tx.store(AppStore.class).sources(caller.workspaceId()));
  }

  /** Revokes a source: its flow token stops working at once. */
  public Source revokeSource(User caller, long sourceId) {
    Directory.requireAdmin(caller);
    return store.transaction(
        tx -> {
          Source source =
              tx.store(AppStore.class)
                  .source(sourceId)
                  .filter(
                      s ->
                          tx.store(AppStore.class).app(s.appId()).orElseThrow().workspaceId()
                              == caller.workspaceId())
                  .orElseThrow(() -> new Problem.NotFound("source " + sourceId));
          tx.store(AppStore.class).revokeSource(sourceId, clock.instant());
          return tx.store(AppStore.class).source(source.id()).orElseThrow();
        });
  }

  /**
   * The live source a flow token belongs to, read in the caller's transaction: a post reads it
   * where it writes, rather than in a read transaction of its own (which on SQLite starts from a
   * cold page cache after every commit).
   */
  public static Source sourceForToken(Tx tx, String flowToken) {
    if (flowToken == null || flowToken.isBlank()) {
      throw new Problem.Unauthorized("flow_token is required");
    }
    return tx.store(AppStore.class)
        .sourceByTokenHash(Tokens.hash(flowToken.strip()))
        .orElseThrow(() -> new Problem.Unauthorized("flow_token is not valid"));
  }
}
