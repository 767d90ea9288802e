package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryCount;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.retention.RetentionStore;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.core.workspace.WorkspaceStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention on a real store: which deliveries the purge removes (finished ones past their
 * workspace's retention, with their bodies and attempts) and which it never touches, that the chart
 * counts the same before and after, that one node at a time purges, and in how large transactions.
 * The clock is set by hand; nothing waits for time to pass. Each database runs it through a
 * subclass.
 */
abstract class RetentionContract {
  /** On the hour, so that hourly chart buckets line up with the counts' hours. */
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  static final Duration DAYS_30 = Duration.ofDays(30);

  Store store;
  final SettableClock clock = new SettableClock(T0);
  final List<Retention> retentions = new ArrayList<>();
  Workspace ws;
  App app;

  abstract Store open();

  @BeforeEach
  void openStore() {
    store = open();
    ws = tx((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace("Acme", T0));
    app = tx((Tx t) -> t.store(AppStore.class).insertApp(ws.id(), "CI", "ci", "sealed", T0));
  }

  @AfterEach
  void closeStore() {
    retentions.forEach(Retention::close);
    store.close();
  }

  <T> T tx(java.util.function.Function<Tx, T> work) {
    return store.transaction(work);
  }

  Retention retention(String node, int batch) {
    Retention r =
        new Retention(
            store, clock, node, new Retention.Settings(DAYS_30, Duration.ofMinutes(1), batch));
    retentions.add(r);
    return r;
  }

  /** A background delivery, pending since {@code at}. */
  Delivery queued(long workspace, long appId, Instant at, byte[] body) {
    return tx(
        t -> {
          DeliveryStore d = t.store(DeliveryStore.class);
          NewDelivery n =
              new NewDelivery(
                  workspace,
                  appId,
                  Contract.NATIVE,
                  "e",
                  "POST",
                  "https://app.test/hook",
                  null,
                  body);
          long endpoint = d.endpointFor(workspace, appId, n.url(), Endpoint.Kind.WEBHOOK, at).id();
          return d.insertDelivery(
              n,
              new DeliveryStore.Initial(
                  Outbox.newMessageId(at), false, DeliveryState.PENDING, endpoint, at),
              at);
        });
  }

  Delivery queued(Instant at) {
    return queued(ws.id(), app.id(), at, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
  }

  /** Records attempt {@code number}, leading to {@code state} at {@code at}. */
  void attempt(Delivery d, int number, DeliveryState state, Instant at) {
    boolean ok = state == DeliveryState.SUCCEEDED;
    Attempt a =
        new Attempt(
            0,
            d.id(),
            number,
            at,
            Duration.ofMillis(3),
            "POST",
            "https://app.test/hook",
            Map.of(),
            "{\"a\":1}",
            ok ? 204 : 500,
            Map.of(),
            "",
            null,
            ok ? "succeeded" : "failed (HTTP 500)");
    tx(
        (Tx t) ->
            t.store(DeliveryStore.class)
                .recordAttempt(
                    a,
                    state,
                    state == DeliveryState.PENDING ? at.plusSeconds(300) : null,
                    a.outcome(),
                    at));
  }

  /** A call a person waits on, begun at {@code at} and not answered (yet). */
  Delivery call(Instant at) {
    return tx(
        t ->
            t.store(DeliveryStore.class)
                .insertDelivery(
                    new NewDelivery(
                        ws.id(),
                        app.id(),
                        Contract.FLOWDOCK,
                        "action",
                        "POST",
                        "https://app.test/actions",
                        null,
                        new byte[0]),
                    new DeliveryStore.Initial(
                        Outbox.newMessageId(at), true, DeliveryState.SENDING, null, null),
                    at));
  }

  @Test
  void aCallCutShortByAStoppedNodeFailsAndThenAgesOutLikeTheRest() {
    Delivery cutShort = call(T0);
    clock.set(T0.plus(Duration.ofMinutes(59)));
    Delivery recent = call(clock.instant());
    retention("node-a", 500).purge();
    assertThat(state(cutShort))
        .as("under an hour: it may still be being made")
        .isEqualTo(DeliveryState.SENDING);

    clock.set(T0.plus(Duration.ofMinutes(61)));
    retention("node-a", 500).purge();
    Delivery failed = tx((Tx t) -> t.store(DeliveryStore.class).delivery(cutShort.id())).get();
    assertThat(failed.state()).isEqualTo(DeliveryState.FAILED);
    assertThat(failed.summary()).isEqualTo("cut short: the node making the call stopped");
    assertThat(state(recent)).isEqualTo(DeliveryState.SENDING);

    clock.set(T0.plus(Duration.ofMinutes(61)).plus(DAYS_30).plusSeconds(1));
    retention("node-a", 500).purge();
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).delivery(cutShort.id()))).isEmpty();
  }

  private DeliveryState state(Delivery d) {
    return tx((Tx t) -> t.store(DeliveryStore.class).delivery(d.id())).get().state();
  }

  Delivery succeeded(Instant created, Instant finished) {
    Delivery d = queued(created);
    attempt(d, 1, DeliveryState.SUCCEEDED, finished);
    return d;
  }

  Delivery failed(Instant created, Instant finished) {
    Delivery d = queued(created);
    attempt(d, 1, DeliveryState.PENDING, created);
    attempt(d, 2, DeliveryState.FAILED, finished);
    return d;
  }

  boolean exists(Delivery d) {
    return store.read((Tx t) -> t.store(DeliveryStore.class).delivery(d.id())).isPresent();
  }

  int attempts(Delivery d) {
    return store.read((Tx t) -> t.store(DeliveryStore.class).attempts(d.id())).size();
  }

  boolean hasBody(Delivery d) {
    return store
        .read((Tx t) -> t.store(DeliveryStore.class).deliveryPayloads(List.of(d.id())))
        .containsKey(d.id());
  }

  List<DeliveryCount> chart(long workspace, Instant from, int hours) {
    return store.read(
        (Tx t) ->
            t.store(DeliveryStore.class)
                .deliveryCounts(workspace, from, Duration.ofHours(1), hours));
  }

  @Test
  void expiredFinishedDeliveriesGoWithTheirBodiesAndAttemptsAndNothingElseDoes() {
    Delivery done = succeeded(T0, T0.plusSeconds(1));
    Delivery gaveUp = failed(T0, T0.plusSeconds(2));
    Delivery sending = queued(T0);
    Instant lease = T0.plus(DAYS_30).plus(Duration.ofDays(1));
    assertThat(
            tx(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .claimDue("other-node", T0.plusSeconds(5), lease, 100)))
        .extracting(Delivery::id)
        .containsExactly(sending.id());
    Delivery pending = queued(T0);
    Delivery retrying = queued(T0);
    attempt(retrying, 1, DeliveryState.PENDING, T0.plusSeconds(1));
    Delivery recent = succeeded(T0, T0.plus(DAYS_30).minusSeconds(60));
    Delivery replayed = succeeded(T0, T0.plusSeconds(3));
    assertThat(tx((Tx t) -> t.store(DeliveryStore.class).requeue(replayed.id(), T0.plusSeconds(4))))
        .isTrue();

    clock.set(T0.plus(DAYS_30).plusSeconds(10));
    Retention.Run run = retention("node-a", 500).purge();

    assertThat(run.held()).isTrue();
    assertThat(run.deliveries()).isEqualTo(2);
    assertThat(run.attempts()).isEqualTo(3);
    assertThat(run.bodies()).isEqualTo(2);
    for (Delivery gone : List.of(done, gaveUp)) {
      assertThat(exists(gone)).as("delivery %s", gone.id()).isFalse();
      assertThat(attempts(gone)).isZero();
      assertThat(hasBody(gone)).isFalse();
    }
    for (Delivery kept : List.of(pending, retrying, sending, recent, replayed)) {
      assertThat(exists(kept)).as("delivery %s", kept.id()).isTrue();
      assertThat(hasBody(kept)).isTrue();
    }
    assertThat(attempts(retrying)).isEqualTo(1);
    assertThat(attempts(recent)).isEqualTo(1);
    assertThat(
            store
                .read((Tx t) -> t.store(DeliveryStore.class).delivery(sending.id()))
                .orElseThrow()
                .state())
        .isEqualTo(DeliveryState.SENDING);

    // a second run finds nothing more until the recent one's time comes
    assertThat(retention("node-a", 500).purge().deliveries()).isZero();
    clock.set(T0.plus(DAYS_30).plus(DAYS_30));
    assertThat(retentions.get(0).purge().deliveries()).isEqualTo(1);
    assertThat(exists(recent)).isFalse();
  }

  @Test
  void theChartCountsTheSameBeforeAndAfterAPurge() {
    Instant h1 = T0.plusSeconds(3600);
    Instant h2 = T0.plusSeconds(7200);
    succeeded(T0.plusSeconds(10), T0.plusSeconds(11));
    failed(T0.plusSeconds(20), T0.plusSeconds(25));
    succeeded(h1.plusSeconds(5), h1.plusSeconds(6));
    failed(h1.plusSeconds(7), h1.plusSeconds(8));
    failed(h1.plusSeconds(9), h1.plusSeconds(10));
    // finished later than the rest of its hour: still live after the purge, beside purged ones
    Delivery late = succeeded(h1.plusSeconds(11), h2.plus(DAYS_30).minusSeconds(1));
    Delivery waiting = queued(h2.plusSeconds(1));
    // another workspace's deliveries are in its own chart only
    Workspace other = tx((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace("Other", T0));
    App otherApp =
        tx((Tx t) -> t.store(AppStore.class).insertApp(other.id(), "X", "x", "sealed", T0));
    Delivery foreign = queued(other.id(), otherApp.id(), h1, new byte[0]);
    attempt(foreign, 1, DeliveryState.SUCCEEDED, h1.plusSeconds(1));

    List<DeliveryCount> before = chart(ws.id(), T0, 3);
    assertThat(before)
        .containsExactly(
            new DeliveryCount(T0, 2, 1), new DeliveryCount(h1, 4, 2), new DeliveryCount(h2, 1, 0));

    clock.set(h2.plus(DAYS_30));
    Retention r = retention("node-a", 2);
    assertThat(r.purge().deliveries()).isEqualTo(5 + 1);
    assertThat(exists(late)).isTrue();
    assertThat(exists(waiting)).isTrue();
    assertThat(chart(ws.id(), T0, 3)).isEqualTo(before);
    assertThat(chart(other.id(), T0, 3)).containsExactly(new DeliveryCount(h1, 1, 0));

    // the rest of the hour goes later and is added to what is already counted
    clock.set(h2.plus(DAYS_30).plus(DAYS_30));
    assertThat(r.purge().deliveries()).isEqualTo(1);
    assertThat(exists(late)).isFalse();
    assertThat(chart(ws.id(), T0, 3)).isEqualTo(before);
    assertThat(r.purge().deliveries()).isZero();
    assertThat(chart(ws.id(), T0, 3)).isEqualTo(before);
  }

  @Test
  void aWorkspacesOwnRetentionApplies() {
    Workspace brief = tx((Tx t) -> t.store(WorkspaceStore.class).insertWorkspace("Brief", T0));
    App briefApp =
        tx((Tx t) -> t.store(AppStore.class).insertApp(brief.id(), "B", "b", "sealed", T0));
    tx(
        t -> {
          t.store(RetentionStore.class).setRetention(brief.id(), Duration.ofHours(1));
          return null;
        });
    assertThat(store.read((Tx t) -> t.store(RetentionStore.class).retention(brief.id())))
        .contains(Duration.ofHours(1));
    assertThat(store.read((Tx t) -> t.store(RetentionStore.class).retention(ws.id()))).isEmpty();
    Delivery ours = succeeded(T0, T0.plusSeconds(1));
    Delivery theirs = queued(brief.id(), briefApp.id(), T0, new byte[0]);
    attempt(theirs, 1, DeliveryState.SUCCEEDED, T0.plusSeconds(1));

    clock.set(T0.plus(Duration.ofHours(2)));
    Retention r = retention("node-a", 500);
    assertThat(r.purge().deliveries()).isEqualTo(1);
    assertThat(exists(theirs)).isFalse();
    assertThat(exists(ours)).isTrue();

    // back to the server's: 30 days
    tx(
        t -> {
          t.store(RetentionStore.class).setRetention(brief.id(), null);
          return null;
        });
    assertThat(store.read((Tx t) -> t.store(RetentionStore.class).retention(brief.id()))).isEmpty();
    clock.set(T0.plus(DAYS_30).plusSeconds(2));
    assertThat(r.purge().deliveries()).isEqualTo(1);
    assertThat(exists(ours)).isFalse();
  }

  @Test
  void eachTransactionRemovesAtMostABatch() {
    for (int i = 0; i < 50; i++) {
      succeeded(T0, T0.plusMillis(i));
    }
    clock.set(T0.plus(DAYS_30).plusSeconds(1));

    Retention.Run run = retention("node-a", 7).purge();

    assertThat(run.deliveries()).isEqualTo(50);
    assertThat(run.largestTransaction()).isBetween(1, 7);
    assertThat(run.transactions()).isGreaterThanOrEqualTo(8); // 50 / 7, rounded up
    assertThat(chart(ws.id(), T0, 1)).containsExactly(new DeliveryCount(T0, 50, 0));
  }

  @Test
  void oneNodeAtATimePurges() {
    Delivery first = succeeded(T0, T0.plusSeconds(1));
    clock.set(T0.plus(DAYS_30).plusSeconds(10));
    Retention a = retention("node-a", 500);
    Retention b = retention("node-b", 500);

    assertThat(a.purge().held()).isTrue();
    assertThat(exists(first)).isFalse();
    Delivery second = succeeded(T0, T0.plusSeconds(2));
    Retention.Run byB = b.purge();
    assertThat(byB.held()).isFalse();
    assertThat(byB.deliveries()).isZero();
    assertThat(exists(second)).isTrue();

    // a node that stops gives the lease up; the other takes it on its next run
    a.close();
    assertThat(b.purge().deliveries()).isEqualTo(1);
    // and a node that dies loses it once it runs out
    Retention c = retention("node-c", 500);
    assertThat(c.purge().held()).isFalse();
    clock.advance(Duration.ofMinutes(4));
    assertThat(c.purge().held()).isTrue();
    assertThat(b.purge().held()).isFalse();
  }
}
