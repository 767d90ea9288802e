package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Payload;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;

/**
 * On SQLite, {@code V18} keeps every body a delivery had, and from then on a body is stored, found
 * and purged by its delivery's id as the row's own key, with no second index to write.
 */
class DeliveryBodiesMigrationTest {
  @Test
  void bodiesKeepWhatTheyHeldAndAreKeyedByTheirDeliverysId() throws Exception {
    String url = "jdbc:sqlite:" + Files.createTempDirectory("backchannel-v18-").resolve("store.db");
    OlderSchema.migratedTo(url, "sqlite", "17");
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      for (int id = 1; id <= 2; id++) {
        s.execute(
            "INSERT INTO deliveries (workspace_id, app_id, message_id, contract, event, method,"
                + " url, interactive, state, created_at, updated_at) VALUES (1, 1, 'msg_"
                + id
                + "', 'NATIVE', 'deal.won', 'POST', 'https://crm.example.com', 0, 'SUCCEEDED',"
                + " 0, 0)");
      }
      s.execute(
          "INSERT INTO delivery_bodies (delivery_id, body, sealed_headers, traceparent) VALUES"
              + " (1, CAST('{\"a\":1}' AS BLOB), 'sealed-headers', '"
              + traceparent
              + "'), (2, CAST('[]' AS BLOB), NULL, NULL)");
    }

    try (JdbcStore store = JdbcStore.open(url)) {
      Map<Long, Payload> payloads =
          store.read(tx -> tx.store(DeliveryStore.class).deliveryPayloads(List.of(1L, 2L)));
      assertThat(new String(payloads.get(1L).body(), StandardCharsets.UTF_8))
          .isEqualTo("{\"a\":1}");
      assertThat(payloads.get(1L).sealedHeaders()).isEqualTo("sealed-headers");
      assertThat(payloads.get(1L).traceparent()).isEqualTo(traceparent);
      assertThat(new String(payloads.get(2L).body(), StandardCharsets.UTF_8)).isEqualTo("[]");
      assertThat(payloads.get(2L).sealedHeaders()).isNull();
    }

    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      try (ResultSet indexes = s.executeQuery("PRAGMA index_list('delivery_bodies')")) {
        assertThat(indexes.next()).as("delivery_bodies has no index besides its rows").isFalse();
      }
      try (ResultSet plan =
          s.executeQuery(
              "EXPLAIN QUERY PLAN SELECT body FROM delivery_bodies WHERE delivery_id IN (1, 2)")) {
        assertThat(plan.next()).isTrue();
        assertThat(plan.getString("detail")).contains("USING INTEGER PRIMARY KEY");
      }
    }
  }
}
