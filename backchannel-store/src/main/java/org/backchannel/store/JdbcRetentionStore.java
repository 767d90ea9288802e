package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.retention.RetentionStore;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;

/** Retention's storage on one transaction's handle: overrides, the purge and the job lease. */
final class JdbcRetentionStore implements RetentionStore {
  /** One hour in milliseconds: the unit delivery_counts counts in. */
  static final long HOUR = 3_600_000L;

  private final Handle h;
  private final Dialect dialect;

  JdbcRetentionStore(Handle h, Dialect dialect) {
    this.h = h;
    this.dialect = dialect;
  }

  @Override
  public List<WorkspaceRetention> workspaces() {
    return h.createQuery("SELECT id, retention_ms FROM workspaces ORDER BY id")
        .map(
            (rs, ctx) -> {
              long id = rs.getLong("id");
              long ms = rs.getLong("retention_ms");
              return new WorkspaceRetention(id, rs.wasNull() ? null : Duration.ofMillis(ms));
            })
        .list();
  }

  @Override
  public Optional<Duration> retention(long workspaceId) {
    return h.createQuery("SELECT retention_ms FROM workspaces WHERE id = :id")
        .bind("id", workspaceId)
        .map((rs, ctx) -> rs.getObject("retention_ms") == null ? -1L : rs.getLong("retention_ms"))
        .findOne()
        .filter(ms -> ms >= 0)
        .map(Duration::ofMillis);
  }

  @Override
  public void setRetention(long workspaceId, Duration retention) {
    int changed =
        h.createUpdate("UPDATE workspaces SET retention_ms = :ms WHERE id = :id")
            .bind("ms", retention == null ? null : retention.toMillis())
            .bind("id", workspaceId)
            .execute();
    if (changed == 0) {
      throw new Problem.NotFound("workspace " + workspaceId);
    }
  }

  @Override
  public boolean holdLease(String job, String owner, Instant now, Instant until) {
    return h.createUpdate(
                "UPDATE job_leases SET owner = :owner, lease_until = :until"
                    + " WHERE name = :job AND (owner = :owner OR lease_until < :now)")
            .bind("job", job)
            .bind("owner", owner)
            .bind("now", millis(now))
            .bind("until", millis(until))
            .execute()
        == 1;
  }

  @Override
  public void releaseLease(String job, String owner) {
    h.createUpdate(
            "UPDATE job_leases SET owner = NULL, lease_until = 0"
                + " WHERE name = :job AND owner = :owner")
        .bind("job", job)
        .bind("owner", owner)
        .execute();
  }

  /** One expired delivery, as the counts need it. */
  private record Expired(long id, long appId, long hour, boolean failed) {}

  /** One row of delivery_counts to add to. */
  private record Count(long appId, long hour) {}

  /**
   * A call a person waits on is the one kind of delivery with no endpoint; its rows are read
   * through the index of rows being sent, not the history.
   */
  static final String FAIL_CUT_SHORT =
      "UPDATE deliveries SET state = 'FAILED', updated_at = :now,"
          + " summary = 'cut short: the node making the call stopped'"
          + " WHERE state = 'SENDING' AND endpoint_id IS NULL AND created_at < :before";

  @Override
  public int failCutShortCalls(Instant startedBefore, Instant now) {
    return h.createUpdate(FAIL_CUT_SHORT)
        .bind("now", millis(now))
        .bind("before", millis(startedBefore))
        .execute();
  }

  @Override
  public Purged purge(long workspaceId, Instant finishedBefore, int limit) {
    // The state test is written as the partial index's, so that SQLite uses the index.
    String lock = dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    List<Expired> expired =
        h.createQuery(
                "SELECT id, app_id, created_at, state FROM deliveries"
                    + " WHERE workspace_id = :ws AND state IN ('SUCCEEDED', 'FAILED')"
                    + " AND updated_at < :before ORDER BY updated_at LIMIT :limit"
                    + lock)
            .bind("ws", workspaceId)
            .bind("before", millis(finishedBefore))
            .bind("limit", limit)
            .map(
                (rs, ctx) ->
                    new Expired(
                        rs.getLong("id"),
                        rs.getLong("app_id"),
                        Math.floorDiv(rs.getLong("created_at"), HOUR) * HOUR,
                        "FAILED".equals(rs.getString("state"))))
            .list();
    if (expired.isEmpty()) {
      return new Purged(0, 0, 0);
    }
    Map<Count, long[]> counts = new HashMap<>();
    List<Long> ids = new ArrayList<>(expired.size());
    for (Expired e : expired) {
      counts
          .computeIfAbsent(new Count(e.appId(), e.hour()), k -> new long[2])[e.failed() ? 1 : 0]++;
      ids.add(e.id());
    }
    PlainRows.batch(
        h,
        "INSERT INTO delivery_counts (workspace_id, app_id, hour, succeeded, failed)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id, hour, app_id) DO UPDATE"
            + " SET succeeded = delivery_counts.succeeded + excluded.succeeded,"
            + " failed = delivery_counts.failed + excluded.failed",
        List.copyOf(counts.entrySet()),
        (p, c) ->
            p.add(workspaceId)
                .add(c.getKey().appId())
                .add(c.getKey().hour())
                .add(c.getValue()[0])
                .add(c.getValue()[1]));
    // Children first: attempts and bodies reference the deliveries.
    int attempts = delete("DELETE FROM attempts WHERE delivery_id IN (<ids>)", ids);
    int bodies = delete("DELETE FROM delivery_bodies WHERE delivery_id IN (<ids>)", ids);
    int deliveries = delete("DELETE FROM deliveries WHERE id IN (<ids>)", ids);
    return new Purged(deliveries, attempts, bodies);
  }

  private int delete(String sql, List<Long> ids) {
    return h.createUpdate(sql).bindList("ids", ids).execute();
  }

  @Override
  public long freePages() {
    if (dialect != Dialect.SQLITE) {
      return 0;
    }
    return h.createQuery("PRAGMA freelist_count").mapTo(Long.class).one();
  }

  @Override
  public long reclaim(int pages) {
    if (dialect != Dialect.SQLITE || pages <= 0) {
      return 0;
    }
    long before = freePages();
    // Through JDBC's executeUpdate: it steps the pragma to the end (execute() frees one page).
    try (Statement s = h.getConnection().createStatement()) {
      s.executeUpdate("PRAGMA incremental_vacuum(" + pages + ")");
    } catch (SQLException e) {
      throw new ConnectionException(e);
    }
    return before - freePages();
  }
}
