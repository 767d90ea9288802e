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
 * On PostgreSQL, a claim counts each endpoint's deliveries in flight once, not once per candidate
 * row. The count walks the index of rows being sent, which holds an entry for every delivery that
 * passed through it until a vacuum clears them; counted once per candidate (256 at a time), a claim
 * slowed as those entries piled up, and under a purge's load deliveries stalled for a minute and
 * more until autovacuum came round.
 */
class ClaimPlanPostgresTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void aClaimCountsAnEndpointsRowsInFlightOnce() throws Exception {
    String url = TestDatabases.postgresUrl();
    try (JdbcStore store = JdbcStore.open(url)) {
      Workspace ws =
          store.transaction(t -> t.store(WorkspaceStore.class).insertWorkspace("Acme", T0));
      App app =
          store.transaction(
              t -> t.store(AppStore.class).insertApp(ws.id(), "CI", "ci", "sealed", T0));
      store.transaction(
          t -> {
            DeliveryStore d = t.store(DeliveryStore.class);
            long endpoint =
                d.endpointFor(ws.id(), app.id(), "https://app.test/hook", Endpoint.Kind.WEBHOOK, T0)
                    .id();
            // room for everything: the benchmarks' endpoints allow 256 in flight
            d.updateEndpoint(endpoint, false, 256, List.of(), T0);
            List<NewDelivery> rows = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
              rows.add(
                  new NewDelivery(
                      ws.id(),
                      app.id(),
                      Contract.NATIVE,
                      "e",
                      "POST",
                      "https://app.test/hook",
                      null,
                      "{}".getBytes(StandardCharsets.UTF_8)));
            }
            for (NewDelivery n : rows) {
              d.insertDelivery(
                  n,
                  new DeliveryStore.Initial(
                      Outbox.newMessageId(T0), false, DeliveryState.PENDING, endpoint, T0),
                  T0);
            }
            return null;
          });
      // some in flight, so that the count has rows to find
      List<Delivery> inFlight =
          store.transaction(
              t ->
                  t.store(DeliveryStore.class)
                      .claimDue("node-a", T0.plusSeconds(1), T0.plusSeconds(60), 20));
      assertThat(inFlight).hasSize(20);
    }

    String claim =
        JdbcQueue.CLAIM
            .formatted("FOR UPDATE OF d SKIP LOCKED", "id")
            .replace(":now", Long.toString(T0.plusSeconds(2).toEpochMilli()))
            .replace(":scan", "256")
            .replace(":owner", "'node-b'")
            .replace(":until", Long.toString(T0.plusSeconds(60).toEpochMilli()))
            .replace(":limit", "64");
    JsonNode plan;
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + claim)) {
        rs.next();
        plan = Json.read(rs.getString(1)).get(0).get("Plan");
      } finally {
        c.rollback();
      }
    }
    List<JsonNode> counts = new ArrayList<>();
    collect(plan, counts);
    assertThat(counts).as("the count of rows being sent, in %s", plan).isNotEmpty();
    for (JsonNode count : counts) {
      assertThat(count.get("Actual Loops").asInt()).as("times counted, in %s", plan).isEqualTo(1);
    }
    assertThat(plan.get("Actual Rows").asInt()).as("claimed").isEqualTo(64);
  }

  /** The plan's nodes that read the index of rows being sent. */
  private static void collect(JsonNode node, List<JsonNode> out) {
    if ("deliveries_sending".equals(node.path("Index Name").asText())) {
      out.add(node);
    }
    for (JsonNode child : node.path("Plans")) {
      collect(child, out);
    }
  }
}
