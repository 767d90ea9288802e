package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.SealedSecrets;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryCount;
import org.backchannel.core.delivery.DeliveryFilter;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Payload;
import org.backchannel.core.delivery.SettledAttempt;
import org.backchannel.core.platform.PlatformStore;
import org.backchannel.core.platform.SecretState;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.threads.Action;
import org.backchannel.core.threads.Author;
import org.backchannel.core.threads.Field;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;
import org.backchannel.core.threads.NewMessage;
import org.backchannel.core.threads.Status;
import org.backchannel.core.threads.ThreadData;
import org.backchannel.core.threads.ThreadJson;
import org.backchannel.core.threads.ThreadStore;
import org.backchannel.core.web.WebStore;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.core.workspace.WorkspaceStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every store must do; each database runs it through a subclass. */
abstract class StoreContract {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");
  static final Instant T1 = T0.plusSeconds(60);
  static final Instant T2 = T0.plusSeconds(120);
  static final Instant T3 = T0.plusSeconds(180);

  Store store;

  abstract Store open();

  abstract String expectedKind();

  @BeforeEach
  void openStore() {
    store = open();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  <T> T tx(java.util.function.Function<Tx, T> work) {
    return store.transaction(work);
  }

  Workspace workspace(String name) {
    return tx((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace(name, T0));
  }

  User user(long ws, String email, String tokenHash) {
    return tx(
        (Tx t) ->
            t.store(WorkspaceStore.class)
                .insertUser(ws, "Name " + email, email, null, User.Role.MEMBER, tokenHash, T0));
  }

  @Test
  void kindNamesTheDatabase() {
    assertThat(store.kind()).isEqualTo(expectedKind());
  }

  @Test
  void workspacesAndUsersRoundTrip() {
    Workspace ws = workspace("Acme");
    assertThat(ws.id()).isPositive();
    assertThat(ws).isEqualTo(new Workspace(ws.id(), "Acme", T0));
    Workspace other = workspace("Other");
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).workspace(ws.id()))).contains(ws);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).workspace(other.id() + 100))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).workspaces())).containsExactly(ws, other);

    User ann =
        tx(
            (Tx t) ->
                t.store(WorkspaceStore.class)
                    .insertUser(
                        ws.id(),
                        "Ann",
                        "ann@acme.test",
                        "https://a/ann.png",
                        User.Role.ADMIN,
                        "h1",
                        T1));
    assertThat(ann)
        .isEqualTo(
            new User(
                ann.id(),
                ws.id(),
                "Ann",
                "ann@acme.test",
                "https://a/ann.png",
                User.Role.ADMIN,
                T1,
                null));
    User bob = user(ws.id(), "bob@acme.test", "h2");
    assertThat(bob.avatar()).isNull();
    assertThat(bob.role()).isEqualTo(User.Role.MEMBER);

    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).user(ann.id()))).contains(ann);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByEmail(ws.id(), "bob@acme.test")))
        .contains(bob);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByEmail(other.id(), "bob@acme.test")))
        .isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("h1"))).contains(ann);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("nope"))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).users(ws.id())))
        .containsExactly(ann, bob);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).users(other.id()))).isEmpty();

    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).setUserTokenHash(ann.id(), "h1-new");
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("h1"))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("h1-new"))).contains(ann);
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) -> {
                      t.store(WorkspaceStore.class).setUserTokenHash(ann.id() + 1000, "h9");
                      return null;
                    }))
        .isInstanceOf(Problem.NotFound.class);
  }

  @Test
  void aUsersRoleChanges() {
    Workspace ws = workspace("Acme");
    User bob = user(ws.id(), "bob@acme.test", "h2");
    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).setUserRole(bob.id(), User.Role.ADMIN);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).user(bob.id())).orElseThrow().role())
        .isEqualTo(User.Role.ADMIN);
    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).setUserRole(bob.id(), User.Role.MEMBER);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).user(bob.id())).orElseThrow().role())
        .isEqualTo(User.Role.MEMBER);
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) -> {
                      t.store(WorkspaceStore.class).setUserRole(bob.id() + 1000, User.Role.ADMIN);
                      return null;
                    }))
        .isInstanceOf(Problem.NotFound.class);
  }

  @Test
  void flowsAndMembers() {
    Workspace ws = workspace("Acme");
    Workspace other = workspace("Other");
    User ann = user(ws.id(), "ann@acme.test", "h1");
    User bob = user(ws.id(), "bob@acme.test", "h2");
    Flow zeta = tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "zeta", T1));
    Flow alpha = tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "alpha", T2));
    Flow elsewhere =
        tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(other.id(), "alpha", T2));
    assertThat(zeta).isEqualTo(new Flow(zeta.id(), ws.id(), "zeta", T1));

    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flow(alpha.id()))).contains(alpha);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowByName(ws.id(), "alpha")))
        .contains(alpha);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowByName(other.id(), "alpha")))
        .contains(elsewhere);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowByName(ws.id(), "beta"))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flows(ws.id())))
        .containsExactly(alpha, zeta);

    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).addMember(zeta.id(), ann.id(), T1);
          t.store(WorkspaceStore.class).addMember(zeta.id(), ann.id(), T2);
          t.store(WorkspaceStore.class).addMember(alpha.id(), ann.id(), T1);
          t.store(WorkspaceStore.class).addMember(zeta.id(), bob.id(), T1);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).members(zeta.id())))
        .containsExactly(ann, bob);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowsOfMember(ann.id())))
        .containsExactly(alpha, zeta);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowsOfMember(bob.id())))
        .containsExactly(zeta);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).isMember(zeta.id(), bob.id()))).isTrue();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).isMember(alpha.id(), bob.id())))
        .isFalse();

    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).removeMember(zeta.id(), bob.id())))
        .isTrue();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).removeMember(zeta.id(), bob.id())))
        .isFalse();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).isMember(zeta.id(), bob.id()))).isFalse();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).members(zeta.id()))).containsExactly(ann);
  }

  @Test
  void uniqueViolationsAreConflicts() {
    Workspace ws = workspace("Acme");
    Workspace other = workspace("Other");
    user(ws.id(), "ann@acme.test", "h1");

    assertThatThrownBy(() -> user(ws.id(), "ann@acme.test", "h2"))
        .isInstanceOf(Problem.Conflict.class)
        .hasMessageContaining("ann@acme.test");
    assertThatThrownBy(() -> user(ws.id(), "other@acme.test", "h1"))
        .isInstanceOf(Problem.Conflict.class)
        .hasMessageContaining("token");
    // the same email in another workspace is a different person
    assertThat(user(other.id(), "ann@acme.test", "h3").workspaceId()).isEqualTo(other.id());
    User bob = user(ws.id(), "bob@acme.test", "h4");
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) -> {
                      t.store(WorkspaceStore.class).setUserTokenHash(bob.id(), "h1");
                      return null;
                    }))
        .isInstanceOf(Problem.Conflict.class);

    tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "ops", T0));
    assertThatThrownBy(
            () -> tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "ops", T1)))
        .isInstanceOf(Problem.Conflict.class)
        .hasMessageContaining("ops");
    assertThat(
            tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(other.id(), "ops", T1))
                .workspaceId())
        .isEqualTo(other.id());

    tx((Tx t) -> t.store(AppStore.class).insertApp(ws.id(), "CI", "client-1", "sealed", T0));
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) ->
                        t.store(AppStore.class)
                            .insertApp(ws.id(), "CI 2", "client-1", "sealed", T0)))
        .isInstanceOf(Problem.Conflict.class)
        .hasMessageContaining("client-1");

    // a conflict inside a transaction undoes the transaction's earlier work too
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) -> {
                      t.store(WorkspaceStore.class).insertFlow(ws.id(), "fresh", T1);
                      return t.store(WorkspaceStore.class).insertFlow(ws.id(), "ops", T1);
                    }))
        .isInstanceOf(Problem.Conflict.class);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowByName(ws.id(), "fresh"))).isEmpty();
  }

  @Test
  void foreignKeysAreEnforced() {
    Workspace ws = workspace("Acme");
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) ->
                        t.store(WorkspaceStore.class).insertFlow(ws.id() + 1000, "orphan", T0)))
        .isInstanceOf(RuntimeException.class)
        .isNotInstanceOf(Problem.class);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flowByName(ws.id() + 1000, "orphan")))
        .isEmpty();
  }

  @Test
  void appsAndSources() {
    Workspace ws = workspace("Acme");
    Workspace other = workspace("Other");
    Flow flow = tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "ops", T0));
    Flow otherFlow = tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(other.id(), "ops", T0));
    App app =
        tx(
            (Tx t) ->
                t.store(AppStore.class)
                    .insertApp(ws.id(), "CI", "client-1", "v1:sealed-secret", T1));
    App otherApp =
        tx((Tx t) -> t.store(AppStore.class).insertApp(other.id(), "CI", "client-1", "v1:x", T1));
    assertThat(app).isEqualTo(new App(app.id(), ws.id(), "CI", "client-1", T1));
    assertThat(tx((Tx t) -> t.store(AppStore.class).app(app.id()))).contains(app);
    assertThat(tx((Tx t) -> t.store(AppStore.class).apps(ws.id()))).containsExactly(app);
    assertThat(tx((Tx t) -> t.store(AppStore.class).appSecretCiphertext(app.id())))
        .isEqualTo("v1:sealed-secret");
    assertThatThrownBy(
            () -> tx((Tx t) -> t.store(AppStore.class).appSecretCiphertext(app.id() + 1000)))
        .isInstanceOf(Problem.NotFound.class);

    Source src =
        tx(
            (Tx t) ->
                t.store(AppStore.class).insertSource(app.id(), flow.id(), "main", "tok-1", T2));
    Source second =
        tx(
            (Tx t) ->
                t.store(AppStore.class).insertSource(app.id(), flow.id(), "second", "tok-2", T2));
    Source foreign =
        tx(
            (Tx t) ->
                t.store(AppStore.class)
                    .insertSource(otherApp.id(), otherFlow.id(), "x", "tok-3", T2));
    assertThat(src).isEqualTo(new Source(src.id(), app.id(), flow.id(), "main", T2, null));
    assertThat(tx((Tx t) -> t.store(AppStore.class).source(src.id()))).contains(src);
    assertThat(tx((Tx t) -> t.store(AppStore.class).sourceByTokenHash("tok-1"))).contains(src);
    assertThat(tx((Tx t) -> t.store(AppStore.class).sources(ws.id()))).containsExactly(src, second);
    assertThat(tx((Tx t) -> t.store(AppStore.class).sources(other.id()))).containsExactly(foreign);
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) ->
                        t.store(AppStore.class)
                            .insertSource(app.id(), flow.id(), "dup", "tok-1", T2)))
        .isInstanceOf(Problem.Conflict.class);

    assertThat(tx((Tx t) -> t.store(AppStore.class).revokeSource(src.id(), T3))).isTrue();
    assertThat(tx((Tx t) -> t.store(AppStore.class).revokeSource(src.id(), T3.plusSeconds(1))))
        .isFalse();
    assertThat(tx((Tx t) -> t.store(AppStore.class).sourceByTokenHash("tok-1"))).isEmpty();
    assertThat(tx((Tx t) -> t.store(AppStore.class).sourceByTokenHash("tok-2"))).contains(second);
    Source revoked = tx((Tx t) -> t.store(AppStore.class).source(src.id())).orElseThrow();
    assertThat(revoked.revokedAt()).isEqualTo(T3);
    assertThat(revoked.revoked()).isTrue();
  }

  static final String THREAD_JSON =
      """
      {"title":"Build #42 failed","body":"<p>red</p>","external_url":"https://ci.test/42",
       "status":{"color":"red","value":"failed"},
       "fields":[{"label":"Branch","value":"main"},{"label":"Δ","value":"ünïcode ✓"}],
       "actions":[
         {"@type":"ViewAction","name":"Open","url":"https://ci.test/42","image":"https://ci.test/i.png"},
         {"@type":"UpdateAction","name":"Retry","description":"run it again",
          "target":{"@type":"EntryPoint","urlTemplate":"https://ci.test/42/retry","httpMethod":"post"},
          "extra":{"nested":[1,2.5,true,null],"z":"last"}}]}
      """;

  record World(Workspace ws, Flow flow, App app, Source source) {}

  World world() {
    Workspace ws = workspace("Acme");
    Flow flow = tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "ops", T0));
    App app =
        tx((Tx t) -> t.store(AppStore.class).insertApp(ws.id(), "CI", "client-1", "sealed", T0));
    Source source =
        tx(
            (Tx t) ->
                t.store(AppStore.class).insertSource(app.id(), flow.id(), "main", "tok-1", T0));
    return new World(ws, flow, app, source);
  }

  @Test
  void aPendingSecretBecomesCurrentOnlyWhileItIsStillThePendingOne() {
    Workspace ws = workspace("Acme");
    App app = tx((Tx t) -> t.store(AppStore.class).insertApp(ws.id(), "CI", "ci", "v1:old", T0));
    assertThat(tx((Tx t) -> t.store(PlatformStore.class).secretState(app.id(), T1)))
        .isEqualTo(SecretState.NONE);
    tx(
        (Tx t) -> {
          t.store(PlatformStore.class).setPendingSecret(app.id(), "v1:first", T1);
          t.store(PlatformStore.class).setPendingSecret(app.id(), "v1:second", T2);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(AppStore.class).pendingSecretCiphertext(app.id())))
        .contains("v1:second");
    assertThat(tx((Tx t) -> t.store(PlatformStore.class).secretState(app.id(), T2)))
        .isEqualTo(new SecretState(T2, null));
    assertThat(tx((Tx t) -> t.store(AppStore.class).appSecretCiphertext(app.id())))
        .as("pending changes nothing of the current secret")
        .isEqualTo("v1:old");

    // a rotation in between replaced the pending secret that was read: nothing changes
    assertThat(
            tx(
                (Tx t) ->
                    t.store(PlatformStore.class).activateSecret(app.id(), "v1:first", null, null)))
        .isFalse();
    assertThat(tx((Tx t) -> t.store(AppStore.class).appSecretCiphertext(app.id())))
        .isEqualTo("v1:old");

    assertThat(
            tx(
                (Tx t) ->
                    t.store(PlatformStore.class)
                        .activateSecret(app.id(), "v1:second", "v1:old", T3)))
        .isTrue();
    assertThat(tx((Tx t) -> t.store(AppStore.class).appSecretCiphertext(app.id())))
        .isEqualTo("v1:second");
    assertThat(tx((Tx t) -> t.store(AppStore.class).pendingSecretCiphertext(app.id()))).isEmpty();
    assertThat(tx((Tx t) -> t.store(AppStore.class).sealedSecrets(app.id(), T2)))
        .isEqualTo(new SealedSecrets("ci", "v1:second", null, "v1:old"));
    assertThat(tx((Tx t) -> t.store(AppStore.class).sealedSecrets(app.id(), T3)).previous())
        .as("past its grace the old secret signs no more")
        .isNull();
    assertThat(tx((Tx t) -> t.store(PlatformStore.class).secretState(app.id(), T2)))
        .isEqualTo(new SecretState(null, T3));
    assertThat(tx((Tx t) -> t.store(PlatformStore.class).secretState(app.id(), T3)))
        .isEqualTo(SecretState.NONE);

    tx(
        (Tx t) -> {
          t.store(PlatformStore.class).setPendingSecret(app.id(), "v1:third", T3);
          return t.store(PlatformStore.class).activateSecret(app.id(), "v1:third", null, null);
        });
    assertThat(tx((Tx t) -> t.store(AppStore.class).sealedSecrets(app.id(), T0)))
        .as("no grace: the old secret is forgotten")
        .isEqualTo(new SealedSecrets("ci", "v1:third", null, null));
  }

  @Test
  void threadsKeepTheirDataExactly() {
    World w = world();
    ThreadData data = ThreadJson.read(THREAD_JSON);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class).threadByExternalId(w.source().id(), "build-42")))
        .isEmpty();
    FlowThread inserted =
        tx(
            (Tx t) ->
                t.store(ThreadStore.class)
                    .insertThread(w.flow().id(), w.source().id(), "build-42", data, T1)
                    .orElseThrow());
    assertThat(inserted.createdAt()).isEqualTo(T1);
    assertThat(inserted.updatedAt()).isEqualTo(T1);

    FlowThread found =
        tx((Tx t) -> t.store(ThreadStore.class).threadByExternalId(w.source().id(), "build-42"))
            .orElseThrow();
    assertThat(found).isEqualTo(inserted);
    assertThat(tx((Tx t) -> t.store(ThreadStore.class).thread(inserted.id()))).contains(inserted);
    ThreadData back = found.data();
    assertThat(back.title()).isEqualTo("Build #42 failed");
    assertThat(back.body()).isEqualTo("<p>red</p>");
    assertThat(back.externalUrl()).isEqualTo("https://ci.test/42");
    assertThat(back.status()).isEqualTo(new Status("red", "failed"));
    assertThat(back.fields())
        .containsExactly(new Field("Branch", "main"), new Field("Δ", "ünïcode ✓"));
    assertThat(back.actions()).hasSize(2);
    assertThat(back.actions().get(0)).isInstanceOf(Action.View.class);
    Action.Update retry = (Action.Update) back.actions().get(1);
    assertThat(retry.httpMethod()).isEqualTo("POST");
    assertThat(retry.urlTemplate()).isEqualTo("https://ci.test/42/retry");
    ObjectNode posted = (ObjectNode) Json.read(THREAD_JSON).get("actions").get(1);
    assertThat(retry.json()).isEqualTo(posted);
    // byte for byte the same JSON, key order included
    assertThat(Json.write(retry.json())).isEqualTo(Json.write(posted));
    assertThat(ThreadJson.write(back)).isEqualTo(ThreadJson.write(data));

    ThreadData changed =
        new ThreadData("Build #42 fixed", null, null, new Status("green", "ok"), List.of(), null);
    FlowThread updated =
        tx((Tx t) -> t.store(ThreadStore.class).updateThread(inserted.id(), changed, T2));
    assertThat(updated.createdAt()).isEqualTo(T1);
    assertThat(updated.updatedAt()).isEqualTo(T2);
    assertThat(updated.data()).isEqualTo(changed);
    assertThat(tx((Tx t) -> t.store(ThreadStore.class).thread(inserted.id())).orElseThrow().data())
        .isEqualTo(changed);
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) ->
                        t.store(ThreadStore.class).updateThread(inserted.id() + 1000, changed, T2)))
        .isInstanceOf(Problem.NotFound.class);
  }

  @Test
  void threadsAreUniquePerSourceAndExternalId() {
    World w = world();
    Source other =
        tx(
            (Tx t) ->
                t.store(AppStore.class)
                    .insertSource(w.app().id(), w.flow().id(), "other", "tok-2", T0));
    ThreadData data = new ThreadData("t", null, null, null, null, null);
    FlowThread a =
        tx(
            (Tx t) ->
                t.store(ThreadStore.class)
                    .insertThread(w.flow().id(), w.source().id(), "x-1", data, T1)
                    .orElseThrow());
    FlowThread b =
        tx(
            (Tx t) ->
                t.store(ThreadStore.class)
                    .insertThread(w.flow().id(), other.id(), "x-1", data, T1)
                    .orElseThrow());
    assertThat(a.id()).isNotEqualTo(b.id());
    // The same source and external id again inserts nothing: the caller updates that one.
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .insertThread(w.flow().id(), w.source().id(), "x-1", data, T2)))
        .isEmpty();
    assertThat(tx((Tx t) -> t.store(ThreadStore.class).threadByExternalId(w.source().id(), "x-1")))
        .contains(a);
    assertThat(tx((Tx t) -> t.store(ThreadStore.class).threadByExternalId(other.id(), "x-1")))
        .contains(b);

    FlowThread c =
        tx(
            (Tx t) ->
                t.store(ThreadStore.class)
                    .insertThread(w.flow().id(), w.source().id(), "x-2", data, T2)
                    .orElseThrow());
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .threads(w.flow().id(), new PageRequest(null, null, 2))))
        .containsExactly(c, b, a);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .threads(w.flow().id(), new PageRequest(c.id(), null, 5))))
        .containsExactly(b, a);
  }

  @Test
  void messagesPageBothWays() {
    World w = world();
    ThreadData data = new ThreadData("t", null, null, null, null, null);
    FlowThread thread =
        tx(
            (Tx t) ->
                t.store(ThreadStore.class)
                    .insertThread(w.flow().id(), w.source().id(), "x", data, T0)
                    .orElseThrow());
    User ann = user(w.ws().id(), "ann@acme.test", "h1");
    Author author = new Author("CI bot", "https://ci.test/bot.png", null);
    // five in one statement (every other in the thread), given back in the order given
    List<NewMessage> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(
          new NewMessage(
              w.flow().id(),
              i % 2 == 0 ? thread.id() : null,
              w.source().id(),
              null,
              "activity",
              author,
              "title " + i,
              "<b>" + i + "</b>",
              T0.plusSeconds(i)));
    }
    List<Message> all =
        new ArrayList<>(tx((Tx t) -> t.store(ThreadStore.class).insertMessages(five)));
    assertThat(all)
        .extracting(Message::title)
        .containsExactly("title 0", "title 1", "title 2", "title 3", "title 4");
    Message comment =
        tx((Tx t) ->
                t.store(ThreadStore.class)
                    .insertMessages(
                        List.of(
                            new NewMessage(
                                w.flow().id(),
                                thread.id(),
                                null,
                                ann.id(),
                                "discussion",
                                null,
                                null,
                                "hi",
                                T1))))
            .get(0);
    all.add(comment);
    Message first = all.get(0);
    assertThat(first.threadId()).isEqualTo(thread.id());
    assertThat(first.sourceId()).isEqualTo(w.source().id());
    assertThat(first.userId()).isNull();
    assertThat(first.author()).isEqualTo(author);
    assertThat(first.createdAt()).isEqualTo(T0);
    assertThat(all.get(1).threadId()).isNull();
    assertThat(comment.author()).isNull();
    assertThat(comment.sourceId()).isNull();
    assertThat(comment.userId()).isEqualTo(ann.id());
    assertThat(comment.title()).isNull();

    Message m0 = all.get(0), m1 = all.get(1), m2 = all.get(2), m3 = all.get(3), m4 = all.get(4);
    long flow = w.flow().id();
    // newest first, one more than the limit
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfFlow(flow, new PageRequest(null, null, 2))))
        .containsExactly(comment, m4, m3);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfFlow(flow, new PageRequest(m3.id(), null, 2))))
        .containsExactly(m2, m1, m0);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfFlow(flow, new PageRequest(m1.id(), null, 2))))
        .containsExactly(m0);
    // oldest first after a cursor
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfFlow(flow, new PageRequest(null, m0.id(), 2))))
        .containsExactly(m1, m2, m3);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfFlow(flow, new PageRequest(null, m4.id(), 2))))
        .containsExactly(comment);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfFlow(flow, new PageRequest(null, comment.id(), 2))))
        .isEmpty();
    // a thread's messages only
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfThread(thread.id(), new PageRequest(null, null, 10))))
        .containsExactly(comment, m4, m2, m0);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(ThreadStore.class)
                        .messagesOfThread(thread.id(), new PageRequest(null, m0.id(), 1))))
        .containsExactly(m2, m4);
  }

  /** A background delivery as the engine's outbox writes one: on its endpoint, due now. */
  static Delivery queued(Tx t, NewDelivery d, String messageId, Instant now) {
    long endpoint =
        t.store(DeliveryStore.class)
            .endpointFor(d.workspaceId(), d.appId(), d.url(), Endpoint.Kind.WEBHOOK, now)
            .id();
    return t.store(DeliveryStore.class)
        .insertDelivery(
            d,
            new DeliveryStore.Initial(messageId, false, DeliveryState.PENDING, endpoint, now),
            now);
  }

  NewDelivery newDelivery(World w, long appId, byte[] body) {
    return new NewDelivery(
        w.ws().id(), appId, Contract.FLOWDOCK, "action", "POST", "https://app.test/hook", 7L, body);
  }

  @Test
  void aQueuedDeliveryKeepsTheTraceparentOfTheRequestThatQueuedIt() {
    World w = world();
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    long endpoint =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .endpointFor(
                        w.ws().id(),
                        w.app().id(),
                        "https://app.test/hook",
                        Endpoint.Kind.WEBHOOK,
                        T1)
                    .id());
    Delivery one =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .insertDelivery(
                        newDelivery(w, w.app().id(), new byte[] {'1'}),
                        new DeliveryStore.Initial(
                            "msg_traced", false, DeliveryState.PENDING, endpoint, T1, traceparent),
                        T1));
    List<Delivery> many =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .insertDeliveries(
                        List.of(
                            newDelivery(w, w.app().id(), new byte[] {'2'}),
                            newDelivery(w, w.app().id(), new byte[] {'3'})),
                        List.of(
                            new DeliveryStore.Initial(
                                "msg_traced_2",
                                false,
                                DeliveryState.PENDING,
                                endpoint,
                                T1,
                                traceparent),
                            new DeliveryStore.Initial(
                                "msg_untraced", false, DeliveryState.PENDING, endpoint, T1)),
                        T1));
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).deliveryPayload(one.id())).traceparent())
        .isEqualTo(traceparent);
    Map<Long, Payload> payloads =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .deliveryPayloads(List.of(one.id(), many.get(0).id(), many.get(1).id())));
    assertThat(payloads.get(one.id()).traceparent()).isEqualTo(traceparent);
    assertThat(payloads.get(many.get(0).id()).traceparent()).isEqualTo(traceparent);
    assertThat(payloads.get(many.get(1).id()).traceparent()).isNull();
    assertThat(payloads.get(many.get(1).id()).body()).isEqualTo(new byte[] {'3'});
  }

  @Test
  void deliveriesBodiesAndAttempts() {
    World w = world();
    byte[] body = new byte[] {'{', '}', 0, (byte) 0xff, (byte) 0x80, '\n'};
    Delivery d = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "msg_1", T1));
    assertThat(d)
        .isEqualTo(
            new Delivery(
                d.id(),
                w.ws().id(),
                w.app().id(),
                "msg_1",
                Contract.FLOWDOCK,
                "action",
                "POST",
                "https://app.test/hook",
                7L,
                false,
                DeliveryState.PENDING,
                0,
                T1,
                T1,
                T1,
                null,
                d.endpointId()));
    assertThat(d.endpointId()).isNotNull();
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).delivery(d.id()))).contains(d);
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).deliveryPayload(d.id())).body())
        .isEqualTo(body);
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).deliveryPayload(d.id())).sealedHeaders())
        .isNull();
    assertThatThrownBy(
            () -> tx((Tx t) -> t.store(DeliveryStore.class).deliveryPayload(d.id() + 1000)))
        .isInstanceOf(Problem.NotFound.class);
    assertThatThrownBy(
            () -> tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), new byte[0]), "msg_1", T1)))
        .isInstanceOf(Problem.Conflict.class);
    NewDelivery interactive =
        new NewDelivery(
            w.ws().id(),
            w.app().id(),
            Contract.FLOWDOCK,
            "action",
            "POST",
            "https://app.test/hook",
            7L,
            body);
    Delivery sending =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .insertDelivery(
                        interactive,
                        new DeliveryStore.Initial(
                            "msg_interactive", true, DeliveryState.SENDING, null, null),
                        T1));
    assertThat(sending.state()).isEqualTo(DeliveryState.SENDING);
    assertThat(sending.nextAttemptAt()).isNull();

    Map<String, String> requestHeaders = new LinkedHashMap<>();
    requestHeaders.put("content-type", "application/json");
    requestHeaders.put("webhook-id", "msg_1");
    requestHeaders.put("flowdock-token", "[redacted]");
    Map<String, String> responseHeaders = new LinkedHashMap<>();
    responseHeaders.put("content-type", "text/plain");
    responseHeaders.put("retry-after", "30");
    Attempt first =
        new Attempt(
            0,
            d.id(),
            1,
            T1,
            Duration.ofMillis(1234),
            "POST",
            "https://app.test/hook",
            requestHeaders,
            "{\"a\":1}",
            503,
            responseHeaders,
            "busy",
            null,
            "failed: HTTP 503");
    Attempt recorded =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .recordAttempt(first, DeliveryState.PENDING, T2, "failed: HTTP 503", T1));
    assertThat(recorded.id()).isPositive();
    assertThat(recorded).usingRecursiveComparison().ignoringFields("id").isEqualTo(first);
    Delivery afterFirst = tx((Tx t) -> t.store(DeliveryStore.class).delivery(d.id())).orElseThrow();
    assertThat(afterFirst.state()).isEqualTo(DeliveryState.PENDING);
    assertThat(afterFirst.attemptCount()).isEqualTo(1);
    assertThat(afterFirst.nextAttemptAt()).isEqualTo(T2);
    assertThat(afterFirst.summary()).isEqualTo("failed: HTTP 503");
    assertThat(afterFirst.updatedAt()).isEqualTo(T1);
    assertThat(afterFirst.createdAt()).isEqualTo(T1);

    Attempt second =
        new Attempt(
            0,
            d.id(),
            2,
            T2,
            Duration.ofSeconds(10),
            "POST",
            "https://app.test/hook",
            Map.of("webhook-id", "msg_1"),
            null,
            null,
            null,
            null,
            "timed out",
            "failed: timeout");
    Attempt recordedSecond =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .recordAttempt(second, DeliveryState.FAILED, null, "failed: timeout", T3));
    assertThat(recordedSecond.id()).isGreaterThan(recorded.id());
    Delivery finalState = tx((Tx t) -> t.store(DeliveryStore.class).delivery(d.id())).orElseThrow();
    assertThat(finalState.state()).isEqualTo(DeliveryState.FAILED);
    assertThat(finalState.attemptCount()).isEqualTo(2);
    assertThat(finalState.nextAttemptAt()).isNull();
    assertThat(finalState.summary()).isEqualTo("failed: timeout");
    assertThat(finalState.updatedAt()).isEqualTo(T3);

    List<Attempt> attempts = tx((Tx t) -> t.store(DeliveryStore.class).attempts(d.id()));
    assertThat(attempts).containsExactly(recorded, recordedSecond);
    assertThat(attempts.get(0).requestHeaders()).isEqualTo(requestHeaders);
    assertThat(attempts.get(0).responseHeaders()).isEqualTo(responseHeaders);
    assertThat(attempts.get(0).duration()).isEqualTo(Duration.ofMillis(1234));
    assertThat(attempts.get(1).responseStatus()).isNull();
    assertThat(attempts.get(1).responseHeaders()).isEmpty();
    assertThat(attempts.get(1).error()).isEqualTo("timed out");
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).attempts(d.id() + 1000))).isEmpty();

    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) ->
                        t.store(DeliveryStore.class)
                            .recordAttempt(second, DeliveryState.FAILED, null, "again", T3)))
        .isInstanceOf(Problem.Conflict.class);
  }

  @Test
  void attemptsRecordedTogetherReadTheirBodyFromTheDelivery() {
    World w = world();
    byte[] body = "{\"token\":\"s3cret\",\"n\":1}".getBytes(StandardCharsets.UTF_8);
    Delivery a = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m_a", T1));
    Delivery b = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m_b", T1));
    String sent = new String(body, StandardCharsets.UTF_8);
    List<Attempt> recorded =
        tx(
            (Tx t) ->
                t.store(DeliveryStore.class)
                    .recordAttempts(
                        List.of(
                            new SettledAttempt(
                                attempt(a.id(), 1, sent), DeliveryState.SUCCEEDED, null, "ok"),
                            new SettledAttempt(
                                attempt(b.id(), 1, sent), DeliveryState.PENDING, T3, "again")),
                        T2));
    assertThat(recorded).extracting(Attempt::deliveryId).containsExactly(a.id(), b.id());
    assertThat(recorded).allSatisfy(r -> assertThat(r.id()).isPositive());
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).attempts(a.id())))
        .containsExactly(recorded.get(0));
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).attempts(b.id())).get(0).requestBody())
        .isEqualTo(sent);
    Delivery pending = tx((Tx t) -> t.store(DeliveryStore.class).delivery(b.id())).orElseThrow();
    assertThat(pending.state()).isEqualTo(DeliveryState.PENDING);
    assertThat(pending.nextAttemptAt()).isEqualTo(T3);
    assertThat(pending.attemptCount()).isEqualTo(1);
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).delivery(a.id())).orElseThrow().state())
        .isEqualTo(DeliveryState.SUCCEEDED);

    // A redacted body is redacted in the attempts that sent it too.
    tx(
        (Tx t) -> {
          t.store(DeliveryStore.class).redactDelivery(a.id(), "s3cret");
          return null;
        });
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).attempts(a.id())).get(0).requestBody())
        .doesNotContain("s3cret")
        .contains("\"n\":1");

    // One clash fails the whole group, and nothing of it is written.
    Delivery c = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m_c", T1));
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) ->
                        t.store(DeliveryStore.class)
                            .recordAttempts(
                                List.of(
                                    new SettledAttempt(
                                        attempt(c.id(), 1, sent),
                                        DeliveryState.SUCCEEDED,
                                        null,
                                        "ok"),
                                    new SettledAttempt(
                                        attempt(b.id(), 1, sent), DeliveryState.FAILED, null, "x")),
                                T3)))
        .isInstanceOf(Problem.Conflict.class);
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).attempts(c.id()))).isEmpty();
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).delivery(c.id())).orElseThrow().state())
        .isEqualTo(DeliveryState.PENDING);

    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .endpointsById(List.of(a.endpointId(), a.endpointId() + 1000))))
        .containsOnlyKeys(a.endpointId());
  }

  private static Attempt attempt(long deliveryId, int number, String body) {
    return new Attempt(
        0,
        deliveryId,
        number,
        T2,
        Duration.ofMillis(5),
        "POST",
        "https://app.test/hook",
        Map.of("webhook-id", "m"),
        body,
        204,
        Map.of(),
        "",
        null,
        "succeeded: HTTP 204");
  }

  @Test
  void readsSeeWhatWasCommitted() {
    World w = world();
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Delivery d = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m_r", T1));
    assertThat(store.read((Tx t) -> t.store(DeliveryStore.class).delivery(d.id()))).contains(d);
    assertThat(store.read((Tx t) -> t.store(DeliveryStore.class).deliveryPayload(d.id())).body())
        .isEqualTo(body);
  }

  @Test
  void deliveriesFilterAndPage() {
    World w = world();
    App other =
        tx(
            (Tx t) ->
                t.store(AppStore.class).insertApp(w.ws().id(), "Other", "client-2", "sealed", T0));
    Workspace ws2 = workspace("Elsewhere");
    App foreign =
        tx((Tx t) -> t.store(AppStore.class).insertApp(ws2.id(), "F", "client-3", "sealed", T0));
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Delivery d1 = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m1", T0));
    Delivery d2 = tx((Tx t) -> queued(t, newDelivery(w, other.id(), body), "m2", T1));
    Delivery d3 = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m3", T2));
    Delivery d4 = tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), body), "m4", T3));
    tx(
        (Tx t) ->
            queued(
                t,
                new NewDelivery(
                    ws2.id(), foreign.id(), Contract.NATIVE, "e", "POST", "https://f", null, body),
                "m5",
                T3));
    Attempt ok =
        new Attempt(
            0,
            d3.id(),
            1,
            T2,
            Duration.ZERO,
            "POST",
            "https://app.test/hook",
            Map.of(),
            null,
            200,
            Map.of(),
            "",
            null,
            "done (HTTP 200)");
    tx(
        (Tx t) ->
            t.store(DeliveryStore.class)
                .recordAttempt(ok, DeliveryState.SUCCEEDED, null, "done (HTTP 200)", T2));
    Delivery d3done = tx((Tx t) -> t.store(DeliveryStore.class).delivery(d3.id())).orElseThrow();

    PageRequest all = new PageRequest(null, null, 50);
    long ws = w.ws().id();
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(new DeliveryFilter(ws, null, null, null, null), all)))
        .containsExactly(d4, d3done, d2, d1);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(new DeliveryFilter(ws, w.app().id(), null, null, null), all)))
        .containsExactly(d4, d3done, d1);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, null, DeliveryState.SUCCEEDED, null, null),
                            all)))
        .containsExactly(d3done);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, w.app().id(), DeliveryState.PENDING, null, null),
                            all)))
        .containsExactly(d4, d1);
    // since is inclusive, until exclusive
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(new DeliveryFilter(ws, null, null, T1, T3), all)))
        .containsExactly(d3done, d2);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(new DeliveryFilter(ws, null, null, T2, null), all)))
        .containsExactly(d4, d3done);
    // event is an exact match
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, null, null, null, null, null, "action"), all)))
        .containsExactly(d4, d3done, d2, d1);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, null, null, null, null, null, "e"), all)))
        .isEmpty();
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws2.id(), null, null, null, null, null, "e"), all)))
        .extracting(Delivery::messageId)
        .containsExactly("m5");
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(new DeliveryFilter(ws2.id(), null, null, null, null), all)))
        .extracting(Delivery::messageId)
        .containsExactly("m5");
    // pages: newest first with one extra, and back from a cursor
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, null, null, null, null),
                            new PageRequest(null, null, 2))))
        .containsExactly(d4, d3done, d2);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, null, null, null, null),
                            new PageRequest(d2.id(), null, 2))))
        .containsExactly(d1);
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws, w.app().id(), null, null, null),
                            new PageRequest(null, d1.id(), 1))))
        .containsExactly(d3done, d4);
  }

  @Test
  void deliveriesAreCountedPerTimeBucket() {
    World w = world();
    Workspace ws2 = workspace("Elsewhere");
    App foreign =
        tx((Tx t) -> t.store(AppStore.class).insertApp(ws2.id(), "F", "client-3", "sealed", T0));
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    long app = w.app().id();
    tx((Tx t) -> queued(t, newDelivery(w, app, body), "m1", T0));
    tx((Tx t) -> queued(t, newDelivery(w, app, body), "m2", T1.minusMillis(1)));
    Delivery failed = tx((Tx t) -> queued(t, newDelivery(w, app, body), "m3", T2));
    tx((Tx t) -> queued(t, newDelivery(w, app, body), "m4", T2.plusSeconds(30)));
    tx((Tx t) -> queued(t, newDelivery(w, app, body), "m5", T3));
    World elsewhere = new World(ws2, null, foreign, null);
    tx((Tx t) -> queued(t, newDelivery(elsewhere, foreign.id(), body), "m6", T0));
    Attempt refused =
        new Attempt(
            0,
            failed.id(),
            1,
            T2,
            Duration.ZERO,
            "POST",
            "https://app.test/hook",
            Map.of(),
            null,
            500,
            Map.of(),
            "",
            null,
            "failed (HTTP 500)");
    tx(
        (Tx t) ->
            t.store(DeliveryStore.class)
                .recordAttempt(refused, DeliveryState.FAILED, null, "failed (HTTP 500)", T2));

    Duration minute = Duration.ofMinutes(1);
    long ws = w.ws().id();
    // three buckets from T0: the one at T3 is after the end; empty buckets are left out
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).deliveryCounts(ws, T0, minute, 3)))
        .containsExactly(new DeliveryCount(T0, 2, 0), new DeliveryCount(T2, 2, 1));
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).deliveryCounts(ws, T1, minute, 3)))
        .containsExactly(new DeliveryCount(T2, 2, 1), new DeliveryCount(T3, 1, 0));
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class).deliveryCounts(ws, T0.plusSeconds(30), minute, 1)))
        .containsExactly(new DeliveryCount(T0.plusSeconds(30), 1, 0));
  }

  @Test
  void liveInstallsOfAnApp() {
    World w = world();
    User ann = user(w.ws().id(), "ann@acme.test", "h-ann");
    User bob = user(w.ws().id(), "bob@acme.test", "h-bob");
    App other =
        tx(
            (Tx t) ->
                t.store(AppStore.class).insertApp(w.ws().id(), "Other", "client-2", "sealed", T0));
    var annInstall =
        tx((Tx t) -> t.store(PlatformStore.class).insertInstall(w.app().id(), ann.id(), "i1", T1));
    var bobInstall =
        tx((Tx t) -> t.store(PlatformStore.class).insertInstall(w.app().id(), bob.id(), "i2", T2));
    tx((Tx t) -> t.store(PlatformStore.class).insertInstall(other.id(), bob.id(), "i3", T2));
    assertThat(tx((Tx t) -> t.store(PlatformStore.class).liveInstallsOfApp(w.app().id())))
        .containsExactly(annInstall, bobInstall);
    tx((Tx t) -> t.store(PlatformStore.class).revokeInstall(annInstall.id(), T3));
    assertThat(tx((Tx t) -> t.store(PlatformStore.class).liveInstallsOfApp(w.app().id())))
        .containsExactly(bobInstall);
  }

  @Test
  void problemInsideTransactionRollsBackAndReachesCallerUnchanged() {
    Workspace ws = workspace("Acme");
    Problem.Forbidden thrown = new Problem.Forbidden("no");
    assertThatThrownBy(
            () ->
                store.transaction(
                    t -> {
                      t.store(WorkspaceStore.class).insertWorkspace("Doomed", T1);
                      Flow flow = t.store(WorkspaceStore.class).insertFlow(ws.id(), "doomed", T1);
                      t.store(WorkspaceStore.class)
                          .insertUser(
                              ws.id(), "D", "d@acme.test", null, User.Role.MEMBER, "hd", T1);
                      App app = t.store(AppStore.class).insertApp(ws.id(), "A", "c", "s", T1);
                      queued(
                          t,
                          newDelivery(new World(ws, flow, app, null), app.id(), new byte[] {1}),
                          "m-doomed",
                          T1);
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).workspaces())).containsExactly(ws);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flows(ws.id()))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).users(ws.id()))).isEmpty();
    assertThat(tx((Tx t) -> t.store(AppStore.class).apps(ws.id()))).isEmpty();
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .deliveries(
                            new DeliveryFilter(ws.id(), null, null, null, null),
                            PageRequest.first())))
        .isEmpty();

    IllegalStateException bug = new IllegalStateException("bug");
    assertThatThrownBy(
            () ->
                store.transaction(
                    t -> {
                      t.store(WorkspaceStore.class).insertFlow(ws.id(), "also-doomed", T1);
                      throw bug;
                    }))
        .isSameAs(bug);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flows(ws.id()))).isEmpty();

    // and the store still works afterwards
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "doomed", T2)).name())
        .isEqualTo("doomed");
  }

  @Test
  void concurrentReadThenWriteTransactionsAllCommit() throws Exception {
    Workspace ws = workspace("Acme");
    int threads = 8;
    int perThread = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        futures.add(
            pool.submit(
                () -> {
                  for (int j = 0; j < perThread; j++) {
                    int k = j;
                    store.transaction(
                        t -> {
                          // read first, then write: the pattern that deadlocks deferred SQLite
                          // transactions on lock upgrade
                          t.store(WorkspaceStore.class).flows(ws.id());
                          return t.store(WorkspaceStore.class)
                              .insertFlow(ws.id(), "f-" + n + "-" + k, T1);
                        });
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).flows(ws.id())))
        .hasSize(threads * perThread);
  }

  @Test
  void aReadCannotWrite() {
    assertThatThrownBy(
            () -> store.read((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace("No", T1)))
        .isInstanceOf(RuntimeException.class);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).workspaces())).isEmpty();
  }

  @Test
  void committingABackgroundDeliveryWakesListeners() throws Exception {
    World w = world();
    java.util.concurrent.Semaphore woken = new java.util.concurrent.Semaphore(0);
    try (AutoCloseable subscription = store.onNewWork(woken::release)) {
      tx((Tx t) -> queued(t, newDelivery(w, w.app().id(), new byte[0]), "msg_bg", T1));
      assertThat(woken.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void webPasswordsSetupLinksAndSessions() {
    Workspace ws = workspace("Acme");
    User ann = user(ws.id(), "ann@example.com", "h-ann");
    assertThat(tx((Tx t) -> t.store(WebStore.class).passwordHash(ann.id()))).isEmpty();
    tx(
        (Tx t) -> {
          t.store(WebStore.class).setPasswordHash(ann.id(), "first", T0);
          t.store(WebStore.class).setPasswordHash(ann.id(), "second", T1);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WebStore.class).passwordHash(ann.id()))).contains("second");

    tx(
        (Tx t) -> {
          t.store(WebStore.class).insertSetupLink("link", ann.id(), T2, T0);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WebStore.class).setupLinkUser("link", T1))).contains(ann.id());
    assertThat(tx((Tx t) -> t.store(WebStore.class).setupLinkUser("link", T2)))
        .as("expired")
        .isEmpty();
    assertThat(tx((Tx t) -> t.store(WebStore.class).useSetupLink("link", T2)))
        .as("expired")
        .isFalse();
    assertThat(tx((Tx t) -> t.store(WebStore.class).useSetupLink("link", T1))).isTrue();
    assertThat(tx((Tx t) -> t.store(WebStore.class).useSetupLink("link", T1))).as("used").isFalse();
    assertThat(tx((Tx t) -> t.store(WebStore.class).setupLinkUser("link", T1))).isEmpty();

    tx(
        (Tx t) -> {
          t.store(WebStore.class).insertSession("session", ann.id(), T2, T0);
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("session", T1)))
        .contains(new WebStore.Session(ann.id(), T2));
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("session", T3)))
        .as("expired")
        .isEmpty();
    tx(
        (Tx t) -> {
          t.store(WebStore.class).insertSession("later", ann.id(), T3, T0);
          return null;
        });
    // an expired session's row goes; one still valid stays
    assertThat(tx((Tx t) -> t.store(WebStore.class).deleteExpiredSessions(T1))).isZero();
    assertThat(tx((Tx t) -> t.store(WebStore.class).deleteExpiredSessions(T2))).isEqualTo(1);
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("session", T1))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("later", T1)))
        .contains(new WebStore.Session(ann.id(), T3));
    tx(
        (Tx t) -> {
          t.store(WebStore.class).deleteSession("session");
          return null;
        });
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("session", T1))).isEmpty();
  }

  @Test
  void deactivatingKeepsTheUserAndDropsTheirTokenSessionsAndLinks() {
    Workspace ws = workspace("Acme");
    User ann = user(ws.id(), "ann@example.com", "h-ann");
    User bob = user(ws.id(), "bob@example.com", "h-bob");
    Flow flow = tx((Tx t) -> t.store(WorkspaceStore.class).insertFlow(ws.id(), "Ops", T0));
    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).addMember(flow.id(), ann.id(), T0);
          t.store(WebStore.class).insertSession("ann-1", ann.id(), T3, T0);
          t.store(WebStore.class).insertSession("ann-2", ann.id(), T3, T0);
          t.store(WebStore.class).insertSession("bob-1", bob.id(), T3, T0);
          t.store(WebStore.class).insertSetupLink("ann-link", ann.id(), T3, T0);
          t.store(WebStore.class).insertSetupLink("bob-link", bob.id(), T3, T0);
          return null;
        });

    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).setUserDeactivated(ann.id(), T1, null);
          return null;
        });
    User gone = tx((Tx t) -> t.store(WorkspaceStore.class).user(ann.id())).orElseThrow();
    assertThat(gone.deactivatedAt()).isEqualTo(T1);
    assertThat(gone.isActive()).isFalse();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("h-ann")))
        .as("token dropped")
        .isEmpty();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).users(ws.id())))
        .as("still listed")
        .contains(gone);
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).members(flow.id())))
        .as("still a member")
        .containsExactly(gone);

    assertThat(tx((Tx t) -> t.store(WebStore.class).deleteSessionsOf(ann.id()))).isEqualTo(2);
    assertThat(tx((Tx t) -> t.store(WebStore.class).deleteSetupLinksOf(ann.id()))).isEqualTo(1);
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("ann-1", T1))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WebStore.class).setupLinkUser("ann-link", T1))).isEmpty();
    assertThat(tx((Tx t) -> t.store(WebStore.class).session("bob-1", T1)))
        .as("others stay")
        .isPresent();
    assertThat(tx((Tx t) -> t.store(WebStore.class).setupLinkUser("bob-link", T1)))
        .contains(bob.id());

    tx(
        (Tx t) -> {
          t.store(WorkspaceStore.class).setUserDeactivated(ann.id(), null, "h-ann-2");
          return null;
        });
    User back =
        tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("h-ann-2")).orElseThrow();
    assertThat(back.id()).isEqualTo(ann.id());
    assertThat(back.isActive()).isTrue();
    assertThat(tx((Tx t) -> t.store(WorkspaceStore.class).userByTokenHash("h-ann"))).isEmpty();
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) -> {
                      t.store(WorkspaceStore.class).setUserDeactivated(bob.id(), null, "h-ann-2");
                      return null;
                    }))
        .as("a token in use")
        .isInstanceOf(Problem.Conflict.class);
    assertThatThrownBy(
            () ->
                tx(
                    (Tx t) -> {
                      t.store(WorkspaceStore.class).setUserDeactivated(9_999_999, T1, null);
                      return null;
                    }))
        .isInstanceOf(Problem.NotFound.class);
  }
}
