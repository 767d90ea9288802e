package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Json;
import org.backchannel.core.Problem;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The queue's statements (claiming, leases, replays) and endpoints: the half of {@link
 * DeliveryStore} the worker runs, apart from the log's in {@link JdbcDeliveryStore}.
 */
abstract sealed class JdbcQueue implements DeliveryStore permits JdbcDeliveryStore {
  static final String ENDPOINT =
      "id, workspace_id, app_id, kind, url, fifo, max_in_flight, event_types, disabled_at,"
          + " disabled_reason, failing_since, created_at, updated_at";

  static final RowMapper<Endpoint> ENDPOINTS =
      (rs, ctx) ->
          new Endpoint(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getLong("app_id"),
              Endpoint.Kind.valueOf(rs.getString("kind")),
              rs.getString("url"),
              rs.getBoolean("fifo"),
              rs.getInt("max_in_flight"),
              eventTypes(rs.getString("event_types")),
              Rows.instant(rs, "disabled_at"),
              rs.getString("disabled_reason"),
              Rows.instant(rs, "failing_since"),
              Rows.instant(rs, "created_at"),
              Rows.instant(rs, "updated_at"));

  /**
   * One statement: look at the oldest due deliveries only (so the cost does not grow with the
   * backlog), work out each of their endpoints' room once, keep those whose endpoint is enabled,
   * not blocked by an earlier FIFO delivery and below its in-flight limit, lock them (skipping rows
   * another node holds) and lease them. The state is checked again under the lock, because a row
   * another node claimed and committed meanwhile still matches the candidate ids. The last step
   * starts from the few eligible ids and looks each row up by its key: written as {@code id IN
   * (eligible) AND state = 'PENDING'}, SQLite walked every pending row by its state index, so a
   * claim cost grew with the backlog ({@code CROSS JOIN} keeps SQLite to that order). The check
   * reads {@code d.state || ''} so that it matches no partial index's predicate: as a plain {@code
   * d.state = 'PENDING'} it let PostgreSQL, once its statistics said the queue was nearly empty,
   * read a whole queue index once per eligible row instead of each row by its key.
   *
   * <p>{@code MATERIALIZED} makes both databases compute the candidates and the rooms once:
   * inlined, the room's count ran once per candidate row, and it walks the index of rows being
   * sent, whose entries for rows sent long ago stay until a vacuum. On PostgreSQL under load,
   * claims then slowed until deliveries stalled for a minute at a time.
   */
  static final String CLAIM =
      """
      WITH candidates AS MATERIALIZED (
        SELECT id, endpoint_id FROM deliveries
        WHERE state = 'PENDING' AND next_attempt_at <= :now
        ORDER BY next_attempt_at, id
        LIMIT :scan
      ), rooms AS MATERIALIZED (
        SELECT e.id AS endpoint_id, e.fifo,
               e.max_in_flight - (SELECT COUNT(*) FROM deliveries s
                                  WHERE s.endpoint_id = e.id AND s.state = 'SENDING') AS room
        FROM endpoints e
        WHERE e.id IN (SELECT endpoint_id FROM candidates) AND e.disabled_at IS NULL
      ), eligible AS (
        SELECT c.id,
               ROW_NUMBER() OVER (PARTITION BY c.endpoint_id ORDER BY c.id) AS rn,
               r.room
        FROM candidates c JOIN rooms r ON r.endpoint_id = c.endpoint_id
        WHERE NOT r.fifo OR NOT EXISTS (
                SELECT 1 FROM deliveries o
                WHERE o.endpoint_id = c.endpoint_id AND o.id < c.id
                  AND o.state IN ('PENDING', 'SENDING'))
      )
      UPDATE deliveries
      SET state = 'SENDING', lease_owner = :owner, lease_until = :until, updated_at = :now
      WHERE id IN (
        SELECT d.id FROM eligible el CROSS JOIN deliveries d
        WHERE d.id = el.id AND el.rn <= el.room AND d.state || '' = 'PENDING'
        ORDER BY d.id
        LIMIT :limit
        %s
      )
      RETURNING %s
      """;

  /** The claim's locking clause on PostgreSQL (SQLite has one writer at a time and needs none). */
  static final String POSTGRES_LOCK = "FOR UPDATE OF d SKIP LOCKED";

  static final String RELEASE_EXPIRED =
      "UPDATE deliveries SET state = 'PENDING', lease_owner = NULL, lease_until = NULL,"
          + " next_attempt_at = :now, updated_at = :now"
          + " WHERE state = 'SENDING' AND lease_until < :now AND lease_owner <> :self";

  static final String RENEW =
      "UPDATE deliveries SET lease_until = :until"
          + " WHERE state = 'SENDING' AND lease_until < :before AND lease_owner = :owner";

  static final String RELEASE_OWNED =
      "UPDATE deliveries SET state = 'PENDING', lease_owner = NULL, lease_until = NULL,"
          + " next_attempt_at = :now, updated_at = :now"
          + " WHERE state = 'SENDING' AND lease_owner = :owner";

  /** The queue's counts, one per partial index, each written so that its index serves it. */
  static final String COUNT_QUEUED =
      """
      SELECT 'PENDING' AS state, COUNT(*) AS n FROM deliveries WHERE state = 'PENDING'
      UNION ALL
      SELECT 'SENDING', COUNT(*) FROM deliveries WHERE state = 'SENDING'
      """;

  /** Every state's count: the finished ones walk every delivery kept (tests, not metrics). */
  static final String COUNT_BY_STATE =
      COUNT_QUEUED
          + """
          UNION ALL
          SELECT state, COUNT(*) FROM deliveries WHERE state IN ('SUCCEEDED', 'FAILED')
          GROUP BY state
          """;

  /** The inner query reads only unfinished rows, through their partial index. */
  static final String BACKLOGS =
      """
      SELECT e.id, a.client_id, e.disabled_at, q.waiting, q.oldest
      FROM endpoints e
      JOIN apps a ON a.id = e.app_id
      LEFT JOIN (SELECT endpoint_id, COUNT(*) AS waiting, MIN(created_at) AS oldest
                 FROM deliveries
                 WHERE state IN ('PENDING', 'SENDING') AND endpoint_id IS NOT NULL
                 GROUP BY endpoint_id) q ON q.endpoint_id = e.id
      WHERE e.disabled_at IS NOT NULL OR q.endpoint_id IS NOT NULL
      ORDER BY e.id
      """;

  final Handle h;
  private final Dialect dialect;
  private boolean newWork;

  JdbcQueue(Handle h, Dialect dialect) {
    this.h = h;
    this.dialect = dialect;
  }

  /**
   * Notes that this transaction makes deliveries due; on PostgreSQL, tells every node at commit.
   */
  void madeWorkDue() {
    if (!newWork && dialect == Dialect.POSTGRESQL) {
      h.createQuery("SELECT pg_notify('" + JdbcStore.CHANNEL + "', '')").mapTo(String.class).one();
    }
    newWork = true;
  }

  boolean newWork() {
    return newWork;
  }

  /**
   * How many of the oldest due rows a claim of {@code limit} looks at: more than it takes, since
   * some wait behind a full endpoint or an earlier FIFO delivery.
   */
  static int scan(int limit) {
    return Math.max(limit * 4, 64);
  }

  @Override
  public List<Delivery> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
    String lock = dialect == Dialect.POSTGRESQL ? POSTGRES_LOCK : "";
    return h.createQuery(CLAIM.formatted(lock, Rows.DELIVERY))
        .bind("now", millis(now))
        .bind("scan", scan(limit))
        .bind("owner", owner)
        .bind("until", millis(leaseUntil))
        .bind("limit", limit)
        .map(Rows.DELIVERIES)
        .list();
  }

  @Override
  public int releaseExpiredLeases(String self, Instant now) {
    return h.createUpdate(RELEASE_EXPIRED).bind("self", self).bind("now", millis(now)).execute();
  }

  @Override
  public int renewLeases(String owner, Instant renewBefore, Instant until) {
    return h.createUpdate(RENEW)
        .bind("owner", owner)
        .bind("before", millis(renewBefore))
        .bind("until", millis(until))
        .execute();
  }

  @Override
  public int releaseOwned(String owner, Instant now) {
    return h.createUpdate(RELEASE_OWNED).bind("owner", owner).bind("now", millis(now)).execute();
  }

  @Override
  public boolean requeue(long deliveryId, Instant now) {
    madeWorkDue();
    return h.createUpdate(
                "UPDATE deliveries SET state = 'PENDING', next_attempt_at = :now,"
                    + " updated_at = :now, summary = 'replay requested'"
                    + " WHERE id = :id AND NOT interactive AND state IN ('SUCCEEDED', 'FAILED')")
            .bind("id", deliveryId)
            .bind("now", millis(now))
            .execute()
        == 1;
  }

  @Override
  public int requeueFailed(long endpointId, Contract contract, Instant since, Instant now) {
    madeWorkDue();
    return h.createUpdate(
            "UPDATE deliveries SET state = 'PENDING', next_attempt_at = :now,"
                + " updated_at = :now, summary = 'replay requested'"
                + " WHERE endpoint_id = :endpoint AND state = 'FAILED' AND created_at >= :since"
                + " AND contract = :contract")
        .bind("endpoint", endpointId)
        .bind("contract", contract.name())
        .bind("since", millis(since))
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public Map<DeliveryState, Long> countByState() {
    return counts(COUNT_BY_STATE, DeliveryState.values());
  }

  @Override
  public Map<DeliveryState, Long> countQueued() {
    return counts(COUNT_QUEUED, DeliveryState.PENDING, DeliveryState.SENDING);
  }

  private Map<DeliveryState, Long> counts(String sql, DeliveryState... states) {
    Map<DeliveryState, Long> counts = new EnumMap<>(DeliveryState.class);
    for (DeliveryState s : states) {
      counts.put(s, 0L);
    }
    h.createQuery(sql)
        .map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getLong("n")))
        .forEach(e -> counts.put(DeliveryState.valueOf(e.getKey()), e.getValue()));
    return counts;
  }

  @Override
  public List<Backlog> backlogs() {
    return h.createQuery(BACKLOGS)
        .map(
            (rs, ctx) ->
                new Backlog(
                    rs.getLong("id"),
                    rs.getString("client_id"),
                    Rows.instant(rs, "disabled_at") != null,
                    rs.getLong("waiting"),
                    Rows.instant(rs, "oldest")))
        .list();
  }

  @Override
  public Endpoint endpointFor(
      long workspaceId, long appId, String url, Endpoint.Kind kind, Instant now) {
    // Nearly always there already: look first, and write only when it is not.
    Optional<Endpoint> existing = endpointByUrl(appId, url);
    if (existing.isPresent()) {
      return existing.get();
    }
    h.createUpdate(
            "INSERT INTO endpoints (workspace_id, app_id, kind, url, created_at, updated_at)"
                + " VALUES (:ws, :app, :kind, :url, :now, :now)"
                + " ON CONFLICT (app_id, url) DO NOTHING")
        .bind("ws", workspaceId)
        .bind("app", appId)
        .bind("kind", kind.name())
        .bind("url", url)
        .bind("now", millis(now))
        .execute();
    return endpointByUrl(appId, url).orElseThrow();
  }

  private Optional<Endpoint> endpointByUrl(long appId, String url) {
    return h.createQuery(
            "SELECT " + ENDPOINT + " FROM endpoints WHERE app_id = :app AND url = :url")
        .bind("app", appId)
        .bind("url", url)
        .map(ENDPOINTS)
        .findOne();
  }

  @Override
  public Optional<Endpoint> endpoint(long id) {
    return h.createQuery("SELECT " + ENDPOINT + " FROM endpoints WHERE id = :id")
        .bind("id", id)
        .map(ENDPOINTS)
        .findOne();
  }

  @Override
  public Map<Long, Endpoint> endpointsById(java.util.Collection<Long> ids) {
    Map<Long, Endpoint> out = new java.util.HashMap<>();
    if (!ids.isEmpty()) {
      h.createQuery("SELECT " + ENDPOINT + " FROM endpoints WHERE id IN (<ids>)")
          .bindList("ids", List.copyOf(ids))
          .map(ENDPOINTS)
          .forEach(e -> out.put(e.id(), e));
    }
    return out;
  }

  @Override
  public List<Endpoint> endpoints(long workspaceId) {
    return h.createQuery(
            "SELECT " + ENDPOINT + " FROM endpoints WHERE workspace_id = :ws ORDER BY id")
        .bind("ws", workspaceId)
        .map(ENDPOINTS)
        .list();
  }

  @Override
  public Endpoint updateEndpoint(
      long id, boolean fifo, int maxInFlight, List<String> eventTypes, Instant now) {
    update(
        "UPDATE endpoints SET fifo = :fifo, max_in_flight = :max, event_types = :types,"
            + " updated_at = :now WHERE id = :id",
        id,
        q ->
            q.bind("fifo", fifo)
                .bind("max", maxInFlight)
                .bind("types", eventTypes.isEmpty() ? null : Json.write(eventTypes))
                .bind("now", millis(now)));
    return endpoint(id).orElseThrow();
  }

  @Override
  public void setEndpointFailingSince(long id, Instant since) {
    update(
        "UPDATE endpoints SET failing_since = :since WHERE id = :id",
        id,
        q -> q.bind("since", millis(since)));
  }

  @Override
  public boolean disableEndpoint(long id, String reason, Instant now) {
    // On PostgreSQL a second node's update waits for the first's commit, then matches nothing.
    return h.createUpdate(
                "UPDATE endpoints SET disabled_at = :now, disabled_reason = :reason,"
                    + " updated_at = :now WHERE id = :id AND disabled_at IS NULL")
            .bind("id", id)
            .bind("reason", reason)
            .bind("now", millis(now))
            .execute()
        == 1;
  }

  @Override
  public void enableEndpoint(long id, Instant now) {
    madeWorkDue();
    update(
        "UPDATE endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL,"
            + " updated_at = :now WHERE id = :id",
        id,
        q -> q.bind("now", millis(now)));
  }

  private void update(
      String sql,
      long id,
      java.util.function.UnaryOperator<org.jdbi.v3.core.statement.Update> binds) {
    if (binds.apply(h.createUpdate(sql).bind("id", id)).execute() == 0) {
      throw new Problem.NotFound("endpoint " + id);
    }
  }

  private static List<String> eventTypes(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return Json.MAPPER.readValue(json, new TypeReference<List<String>>() {});
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("stored event types do not parse", e);
    }
  }
}
