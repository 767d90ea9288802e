package org.backchannel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The queue's statements read the queue, not the history: on SQLite (which keeps no statistics
 * here, so it picks indexes by their shape alone) each uses the partial index of the rows it serves
 * and none walks every delivery ever made. Otherwise a claim, a lease renewal or a metrics scrape
 * slows as finished deliveries pile up, which no functional test would notice.
 */
class QueuePlansTest {
  private static final Map<String, String> STATEMENTS =
      Map.of(
          "claim", JdbcQueue.CLAIM.formatted("", "id"),
          "release expired leases", JdbcQueue.RELEASE_EXPIRED,
          "renew leases", JdbcQueue.RENEW,
          "release owned", JdbcQueue.RELEASE_OWNED,
          "count queued", JdbcQueue.COUNT_QUEUED,
          "backlogs", JdbcQueue.BACKLOGS,
          "fail calls cut short", JdbcRetentionStore.FAIL_CUT_SHORT);

  /** The indexes that hold every delivery, finished or not. */
  private static final List<String> WHOLE_HISTORY =
      List.of("deliveries_endpoint", "deliveries_workspace", "deliveries_idempotency");

  @Test
  void everyQueueStatementReadsThroughAPartialIndex() throws Exception {
    Path dir = Files.createTempDirectory("queue-plans-");
    dir.toFile().deleteOnExit();
    String url = "jdbc:sqlite:" + dir.resolve("store.db");
    JdbcStore.open(url).close(); // migrated
    try (Connection c = DriverManager.getConnection(url)) {
      for (Map.Entry<String, String> s : STATEMENTS.entrySet()) {
        List<String> plan = plan(c, s.getValue());
        List<String> onDeliveries =
            plan.stream()
                .filter(line -> line.matches("(SCAN|SEARCH) (deliveries|d|s|o)\\b.*"))
                .toList();
        assertThat(onDeliveries).as(s.getKey() + ": " + plan).isNotEmpty();
        for (String line : onDeliveries) {
          assertThat(line)
              .as(s.getKey() + " reads deliveries through a partial index: " + plan)
              .containsPattern("USING ((COVERING )?INDEX deliveries_|INTEGER PRIMARY KEY)")
              .doesNotContain(WHOLE_HISTORY);
        }
      }
      // The claim finds its candidates in claim order and each endpoint's room among the rows
      // being sent.
      // A scrape counts the queue, never the finished history (which retention may keep for
      // months).
      assertThat(plan(c, STATEMENTS.get("count queued")))
          .noneMatch(l -> l.contains("deliveries_finished"));
      List<String> claim = plan(c, STATEMENTS.get("claim"));
      assertThat(claim)
          .anyMatch(l -> l.contains("deliveries_due"))
          .anyMatch(l -> l.contains("deliveries_sending (endpoint_id=? AND state=?)"))
          .anyMatch(l -> l.contains("deliveries_unfinished (endpoint_id=? AND id<?)"))
          // the last step goes from the eligible ids to their rows, not through the queue
          .contains("SCAN el", "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)");
      // Each endpoint's room is counted once per claim, while the endpoints are read (rooms is
      // materialized), not once per candidate row.
      int rooms = claim.indexOf("MATERIALIZE rooms");
      int count = indexOf(claim, "deliveries_sending");
      int candidates = claim.indexOf("SCAN c");
      assertThat(rooms).as("rooms materialized: %s", claim).isNotNegative();
      assertThat(count).as("counted within rooms: %s", claim).isBetween(rooms, candidates);
    }
  }

  private static int indexOf(List<String> plan, String part) {
    for (int i = 0; i < plan.size(); i++) {
      if (plan.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> plan(Connection c, String sql) throws Exception {
    // Named parameters as JDBI would bind them; EXPLAIN needs no values.
    String positional = sql.replaceAll(":[a-z]+", "?");
    List<String> lines = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + positional)) {
      while (rs.next()) {
        lines.add(rs.getString("detail"));
      }
    }
    return lines;
  }
}
