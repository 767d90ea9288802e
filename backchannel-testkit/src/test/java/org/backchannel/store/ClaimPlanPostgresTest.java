package org.backchannel.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.Json;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.core.workspace.WorkspaceStore;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/**
 * The claim's plan on PostgreSQL in the situation that stalled deliveries for a minute at a time
 * under a purge's load: a long history of finished deliveries, statistics taken while the queue was
 * nearly empty, then a burst. Nothing the claim needs once may run once per eligible row: the count
 * of an endpoint's rows in flight runs once (it walks the index of rows being sent, whose entries
 * for rows sent long ago stay until a vacuum), and each eligible row is looked up by its key, not
 * found by reading a whole queue index again.
 */
class ClaimPlanPostgresTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void aClaimCountsRoomOnceAndLooksEachRowUpByItsKey() throws Exception {
    String url = TestDatabases.postgresUrl();
    try (JdbcStore store = JdbcStore.open(url)) {
      Workspace ws =
          store.transaction(t -> t.store(WorkspaceStore.class).insertWorkspace("Acme", T0));
      App app =
          store.transaction(
              t -> t.store(AppStore.class).insertApp(ws.id(), "CI", "ci", "sealed", T0));
      long endpoint =
          store.transaction(
              t -> {
                DeliveryStore d = t.store(DeliveryStore.class);
                long id =
                    d.endpointFor(
                            ws.id(), app.id(), "https://app.test/hook", Endpoint.Kind.WEBHOOK, T0)
                        .id();
                // room for everything: the benchmarks' endpoints allow 256 in flight
                d.updateEndpoint(id, false, 256, List.of(), T0);
                return id;
              });
      queue(store, ws.id(), app.id(), endpoint, 1);
      try (Connection c = DriverManager.getConnection(url);
          Statement st = c.createStatement()) {
        // the history: finished deliveries like the queued one, then statistics of a quiet queue
        st.execute(
            "INSERT INTO deliveries (workspace_id, app_id, message_id, contract, event, method,"
                + " url, interactive, state, attempt_count, created_at, updated_at, endpoint_id)"
                + " SELECT workspace_id, app_id, 'msg_h' || lpad(to_hex(g), 23, '0'), contract,"
                + " event, method, url, interactive, 'SUCCEEDED', 1, created_at, updated_at,"
                + " endpoint_id FROM deliveries, generate_series(1, 50000) g");
        st.execute("ANALYZE deliveries");
      }
      // the burst, some of it in flight so that the count has rows to find
      queue(store, ws.id(), app.id(), endpoint, 300);
      List<Delivery> inFlight =
          store.transaction(
              t ->
                  t.store(DeliveryStore.class)
                      .claimDue("node-a", T0.plusSeconds(1), T0.plusSeconds(60), 20));
      assertThat(inFlight).hasSize(20);
    }

    JsonNode plan = explainClaim(url, 64);

    List<JsonNode> counts = new ArrayList<>();
    collect(plan, n -> "deliveries_sending".equals(n.path("Index Name").asText()), counts);
    assertThat(counts).as("the count of rows being sent, in %s", plan).isNotEmpty();
    for (JsonNode count : counts) {
      assertThat(count.get("Actual Loops").asInt()).as("times counted, in %s", plan).isEqualTo(1);
    }
    List<JsonNode> rows = new ArrayList<>();
    collect(plan, n -> "d".equals(n.path("Alias").asText()), rows);
    assertThat(rows).as("the locking step's read of the rows, in %s", plan).hasSize(1);
    assertThat(rows.get(0).path("Index Name").asText())
        .as("eligible rows looked up by their key, in %s", rows.get(0))
        .isEqualTo("deliveries_pkey");
    assertThat(plan.get("Actual Rows").asInt()).as("claimed").isEqualTo(64);
  }

  private static void queue(JdbcStore store, long ws, long app, long endpoint, int n) {
    store.transaction(
        t -> {
          DeliveryStore d = t.store(DeliveryStore.class);
          for (int i = 0; i < n; i++) {
            d.insertDelivery(
                new NewDelivery(
                    ws,
                    app,
                    Contract.NATIVE,
                    "e",
                    "POST",
                    "https://app.test/hook",
                    null,
                    "{}".getBytes(StandardCharsets.UTF_8)),
                new DeliveryStore.Initial(
                    Outbox.newMessageId(T0), false, DeliveryState.PENDING, endpoint, T0),
                T0);
          }
          return null;
        });
  }

  /** The claim as the worker runs it, under EXPLAIN ANALYZE, rolled back. */
  private static JsonNode explainClaim(String url, int limit) throws Exception {
    String claim =
        JdbcQueue.CLAIM
            .formatted(JdbcQueue.POSTGRES_LOCK, "id")
            .replace(":now", Long.toString(T0.plusSeconds(2).toEpochMilli()))
            .replace(":scan", Integer.toString(JdbcQueue.scan(limit)))
            .replace(":owner", "'node-b'")
            .replace(":until", Long.toString(T0.plusSeconds(60).toEpochMilli()))
            .replace(":limit", Integer.toString(limit));
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + claim)) {
        rs.next();
        return Json.read(rs.getString(1)).get(0).get("Plan");
      } finally {
        c.rollback();
      }
    }
  }

  private static void collect(
      JsonNode node, java.util.function.Predicate<JsonNode> wanted, List<JsonNode> out) {
    if (wanted.test(node)) {
      out.add(node);
    }
    for (JsonNode child : node.path("Plans")) {
      collect(child, wanted, out);
    }
  }
}
