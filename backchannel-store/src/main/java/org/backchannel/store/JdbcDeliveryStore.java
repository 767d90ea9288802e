package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryCount;
import org.backchannel.core.delivery.DeliveryFilter;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Payload;
import org.backchannel.core.delivery.SettledAttempt;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Deliveries, their bodies and attempts, on one transaction's handle; the queue and endpoints are
 * in {@link JdbcQueue}.
 */
final class JdbcDeliveryStore extends JdbcQueue {
  JdbcDeliveryStore(Handle h, Dialect dialect) {
    super(h, dialect);
  }

  @Override
  public Delivery insertDelivery(NewDelivery d, Initial initial, Instant now) {
    return insertDeliveries(List.of(d), List.of(initial), now).get(0);
  }

  /** Deliveries per INSERT statement at most (16 parameters each). */
  private static final int DELIVERY_ROWS = 64;

  @Override
  public List<Delivery> insertDeliveries(
      List<NewDelivery> deliveries, List<Initial> initials, Instant now) {
    if (deliveries.size() != initials.size()) {
      throw new IllegalArgumentException("one initial state per delivery");
    }
    Map<String, Delivery> byKey = earlierByKey(deliveries);
    // Which rows to write: each key once, the first time it comes.
    List<Integer> fresh = new ArrayList<>();
    java.util.Set<String> claimed = new java.util.HashSet<>();
    for (int i = 0; i < deliveries.size(); i++) {
      String key = keyOf(deliveries.get(i));
      if (key == null || (!byKey.containsKey(key) && claimed.add(key))) {
        fresh.add(i);
      }
    }
    Map<String, Delivery> written = new java.util.HashMap<>();
    for (List<Integer> chunk : PlainRows.chunks(fresh, DELIVERY_ROWS)) {
      Map<String, Long> ids = insertRows(deliveries, initials, chunk, now);
      Instant at = Instant.ofEpochMilli(millis(now)); // as a read gives it back
      for (int i : chunk) {
        Initial initial = initials.get(i);
        written.put(
            initial.messageId(),
            written(deliveries.get(i), initial, ids.get(initial.messageId()), at));
      }
      insertBodies(deliveries, chunk, initials, written);
    }
    boolean pending = false;
    for (int i : fresh) {
      Delivery d = written.get(initials.get(i).messageId());
      pending |= d.state() == DeliveryState.PENDING;
      if (keyOf(deliveries.get(i)) != null) {
        byKey.put(keyOf(deliveries.get(i)), d);
      }
    }
    if (pending) {
      madeWorkDue();
    }
    List<Delivery> out = new ArrayList<>(deliveries.size());
    for (int i = 0; i < deliveries.size(); i++) {
      Delivery d = written.get(initials.get(i).messageId());
      out.add(d != null ? d : byKey.get(keyOf(deliveries.get(i))));
    }
    return out;
  }

  /** An idempotency key with its app, as the unique index sees it; null without a key. */
  private static String keyOf(NewDelivery d) {
    return d.idempotencyKey() == null ? null : d.appId() + "/" + d.idempotencyKey();
  }

  /** Deliveries already written under the list's idempotency keys, by {@link #keyOf}. */
  private Map<String, Delivery> earlierByKey(List<NewDelivery> deliveries) {
    Map<Long, List<String>> keysByApp = new java.util.HashMap<>();
    for (NewDelivery d : deliveries) {
      if (d.idempotencyKey() != null) {
        keysByApp.computeIfAbsent(d.appId(), a -> new ArrayList<>()).add(d.idempotencyKey());
      }
    }
    Map<String, Delivery> found = new java.util.HashMap<>();
    keysByApp.forEach(
        (app, keys) -> {
          for (int from = 0; from < keys.size(); from += 500) {
            h.createQuery(
                    "SELECT "
                        + Rows.DELIVERY
                        + ", idempotency_key FROM deliveries WHERE app_id = :app"
                        + " AND idempotency_key IN (<keys>)")
                .bind("app", app)
                .bindList("keys", keys.subList(from, Math.min(keys.size(), from + 500)))
                .map(
                    (rs, ctx) ->
                        found.put(
                            app + "/" + rs.getString("idempotency_key"),
                            Rows.DELIVERIES.map(rs, ctx)))
                .list();
          }
        });
    return found;
  }

  /**
   * The row a delivery's insert wrote at {@code at} (to the millisecond), as reading it back would
   * give it, without reading it back: the statement returns only the ids it gave.
   */
  private static Delivery written(NewDelivery d, Initial initial, long id, Instant at) {
    return new Delivery(
        id,
        d.workspaceId(),
        d.appId(),
        initial.messageId(),
        d.contract(),
        d.event(),
        d.method(),
        d.url(),
        d.actorUserId(),
        initial.interactive(),
        initial.state(),
        0,
        initial.nextAttemptAt() == null
            ? null
            : Instant.ofEpochMilli(millis(initial.nextAttemptAt())),
        at,
        at,
        null,
        initial.endpointId());
  }

  /** Inserts the rows at the given indexes; their ids by message id (RETURNING has no order). */
  private Map<String, Long> insertRows(
      List<NewDelivery> deliveries, List<Initial> initials, List<Integer> rows, Instant now) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO deliveries (workspace_id, app_id, message_id, contract, event, method,"
                + " url, actor_user_id, interactive, state, attempt_count, next_attempt_at,"
                + " created_at, updated_at, idempotency_key, endpoint_id) VALUES ");
    sql.append(PlainRows.values("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)", rows.size()));
    sql.append(" RETURNING id, message_id");
    PlainRows.Binder values =
        p -> {
          for (int i : rows) {
            NewDelivery d = deliveries.get(i);
            Initial initial = initials.get(i);
            p.add(d.workspaceId())
                .add(d.appId())
                .add(initial.messageId())
                .add(d.contract().name())
                .add(d.event())
                .add(d.method())
                .add(d.url())
                .add(d.actorUserId())
                .add(initial.interactive())
                .add(initial.state().name())
                .add(millis(initial.nextAttemptAt()))
                .add(millis(now))
                .add(millis(now))
                .add(d.idempotencyKey())
                .add(initial.endpointId());
          }
        };
    return Conflicts.translate(
            () ->
                PlainRows.query(
                    h,
                    sql.toString(),
                    values,
                    (rs, ctx) -> Map.entry(rs.getString(2), rs.getLong(1))),
            Map.of("message_id", "one of these deliveries' message ids is already taken"))
        .stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private void insertBodies(
      List<NewDelivery> deliveries,
      List<Integer> rows,
      List<Initial> initials,
      Map<String, Delivery> written) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO delivery_bodies (delivery_id, body, sealed_headers, traceparent)"
                + " VALUES ");
    sql.append(PlainRows.values("(?, ?, ?, ?)", rows.size()));
    PlainRows.update(
        h,
        sql.toString(),
        p -> {
          for (int i : rows) {
            NewDelivery d = deliveries.get(i);
            p.add(written.get(initials.get(i).messageId()).id())
                .add(d.body() == null ? new byte[0] : d.body())
                .add(d.sealedHeaders())
                .add(initials.get(i).traceparent());
          }
        });
  }

  @Override
  public void redactDelivery(long deliveryId, String secret) {
    byte[] body =
        h.createQuery("SELECT body FROM delivery_bodies WHERE delivery_id = :id")
            .bind("id", deliveryId)
            .mapTo(byte[].class)
            .findOne()
            .orElseThrow(() -> new Problem.NotFound("delivery " + deliveryId));
    String redacted = new String(body, StandardCharsets.UTF_8).replace(secret, Rows.REDACTED);
    h.createUpdate("UPDATE delivery_bodies SET body = :body WHERE delivery_id = :id")
        .bind("body", redacted.getBytes(StandardCharsets.UTF_8))
        .bind("id", deliveryId)
        .execute();
    h.createUpdate(
            "UPDATE attempts SET request_body = REPLACE(request_body, :secret, :redacted)"
                + " WHERE delivery_id = :id")
        .bind("secret", secret)
        .bind("redacted", Rows.REDACTED)
        .bind("id", deliveryId)
        .execute();
  }

  @Override
  public Optional<Delivery> delivery(long id) {
    return h.createQuery("SELECT " + Rows.DELIVERY + " FROM deliveries WHERE id = :id")
        .bind("id", id)
        .map(Rows.DELIVERIES)
        .findOne();
  }

  @Override
  public Map<Long, Payload> deliveryPayloads(List<Long> deliveryIds) {
    Map<Long, Payload> out = new java.util.HashMap<>();
    if (deliveryIds.isEmpty()) {
      return out;
    }
    h.createQuery(
            "SELECT delivery_id, body, sealed_headers, traceparent FROM delivery_bodies"
                + " WHERE delivery_id IN (<ids>)")
        .bindList("ids", deliveryIds)
        .map(
            (rs, ctx) -> {
              out.put(
                  rs.getLong("delivery_id"),
                  new Payload(
                      rs.getBytes("body"),
                      rs.getString("sealed_headers"),
                      rs.getString("traceparent")));
              return null;
            })
        .list();
    return out;
  }

  @Override
  public Payload deliveryPayload(long deliveryId) {
    return h.createQuery(
            "SELECT body, sealed_headers, traceparent FROM delivery_bodies WHERE delivery_id = :id")
        .bind("id", deliveryId)
        .map(
            (rs, ctx) ->
                new Payload(
                    rs.getBytes("body"),
                    rs.getString("sealed_headers"),
                    rs.getString("traceparent")))
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("delivery " + deliveryId));
  }

  @Override
  public Attempt recordAttempt(
      Attempt attempt, DeliveryState state, Instant nextAttemptAt, String summary, Instant now) {
    return record(List.of(new SettledAttempt(attempt, state, nextAttemptAt, summary)), now, false)
        .get(0);
  }

  @Override
  public List<Attempt> recordAttempts(List<SettledAttempt> settled, Instant now) {
    return record(settled, now, true);
  }

  /** Attempts per INSERT statement at most (14 parameters each). */
  private static final int ATTEMPT_ROWS = 64;

  private List<Attempt> record(List<SettledAttempt> settled, Instant now, boolean bodyByDelivery) {
    Map<Long, Long> ids = new java.util.HashMap<>();
    for (List<SettledAttempt> chunk : PlainRows.chunks(settled, ATTEMPT_ROWS)) {
      ids.putAll(insertAttempts(chunk, bodyByDelivery));
    }
    int[] updated =
        PlainRows.batch(
            h,
            "UPDATE deliveries SET state = ?, attempt_count = ?, next_attempt_at = ?, summary = ?,"
                + " updated_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
            settled,
            (p, s) ->
                p.add(s.state().name())
                    .add(s.attempt().number())
                    .add(millis(s.nextAttemptAt()))
                    .add(s.summary())
                    .add(millis(now))
                    .add(s.attempt().deliveryId()));
    List<Attempt> out = new ArrayList<>(settled.size());
    for (int i = 0; i < settled.size(); i++) {
      Attempt a = settled.get(i).attempt();
      if (updated[i] == 0) {
        throw new Problem.NotFound("delivery " + a.deliveryId());
      }
      out.add(
          new Attempt(
              ids.get(a.deliveryId()),
              a.deliveryId(),
              a.number(),
              a.startedAt(),
              a.duration(),
              a.requestMethod(),
              a.requestUrl(),
              a.requestHeaders(),
              a.requestBody(),
              a.responseStatus(),
              a.responseHeaders(),
              a.responseBody(),
              a.error(),
              a.outcome()));
    }
    return out;
  }

  /**
   * One multi-row INSERT; attempt ids by delivery id. With {@code bodyByDelivery} the request body
   * is not stored: {@link #attempts} reads the delivery's body in its place.
   */
  private Map<Long, Long> insertAttempts(List<SettledAttempt> rows, boolean bodyByDelivery) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO attempts (delivery_id, number, started_at, duration_ms, request_method,"
                + " request_url, request_headers, request_body, body_from_delivery,"
                + " response_status, response_headers, response_body, error, outcome) VALUES ");
    sql.append(PlainRows.values("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.size()));
    sql.append(" RETURNING id, delivery_id");
    PlainRows.Binder values =
        p -> {
          for (SettledAttempt s : rows) {
            Attempt a = s.attempt();
            p.add(a.deliveryId())
                .add(a.number())
                .add(millis(a.startedAt()))
                .add(a.duration().toMillis())
                .add(a.requestMethod())
                .add(a.requestUrl())
                .add(Rows.headersJson(a.requestHeaders()))
                .add(bodyByDelivery ? null : a.requestBody())
                .add(bodyByDelivery)
                .add(a.responseStatus())
                .add(Rows.headersJson(a.responseHeaders()))
                .add(a.responseBody())
                .add(a.error())
                .add(a.outcome());
          }
        };
    String clash =
        rows.size() == 1
            ? "delivery "
                + rows.get(0).attempt().deliveryId()
                + " already has an attempt number "
                + rows.get(0).attempt().number()
            : "one of these attempts was already recorded";
    Map<Long, Long> ids = new java.util.HashMap<>();
    Conflicts.translate(
        () ->
            PlainRows.query(
                h,
                sql.toString(),
                values,
                (rs, ctx) -> ids.put(rs.getLong("delivery_id"), rs.getLong("id"))),
        Map.of("number", clash));
    return ids;
  }

  @Override
  public List<Attempt> attempts(long deliveryId) {
    return h.createQuery(
            "SELECT "
                + Rows.ATTEMPT
                + ", body_from_delivery, (SELECT body FROM delivery_bodies b"
                + " WHERE b.delivery_id = attempts.delivery_id AND body_from_delivery)"
                + " AS delivery_body FROM attempts WHERE delivery_id = :id ORDER BY number, id")
        .bind("id", deliveryId)
        .map(
            (rs, ctx) -> {
              Attempt a = Rows.ATTEMPTS.map(rs, ctx);
              if (!rs.getBoolean("body_from_delivery")) {
                return a;
              }
              // Decoded as the worker decoded it when it recorded the attempt.
              byte[] body = rs.getBytes("delivery_body");
              return new Attempt(
                  a.id(),
                  a.deliveryId(),
                  a.number(),
                  a.startedAt(),
                  a.duration(),
                  a.requestMethod(),
                  a.requestUrl(),
                  a.requestHeaders(),
                  body == null ? null : new String(body, java.nio.charset.StandardCharsets.UTF_8),
                  a.responseStatus(),
                  a.responseHeaders(),
                  a.responseBody(),
                  a.error(),
                  a.outcome());
            })
        .list();
  }

  @Override
  public List<Delivery> deliveries(DeliveryFilter filter, PageRequest page) {
    StringBuilder sql =
        new StringBuilder("SELECT " + Rows.DELIVERY + " FROM deliveries WHERE workspace_id = :ws");
    if (filter.appId() != null) {
      sql.append(" AND app_id = :app");
    }
    if (filter.endpointId() != null) {
      sql.append(" AND endpoint_id = :endpoint");
    }
    if (filter.state() != null) {
      sql.append(" AND state = :state");
    }
    if (filter.since() != null) {
      sql.append(" AND created_at >= :since");
    }
    if (filter.until() != null) {
      sql.append(" AND created_at < :until");
    }
    if (filter.event() != null) {
      sql.append(" AND event = :event");
    }
    Query query = Paging.paged(h, sql.toString(), page).bind("ws", filter.workspaceId());
    if (filter.appId() != null) {
      query.bind("app", filter.appId());
    }
    if (filter.endpointId() != null) {
      query.bind("endpoint", filter.endpointId());
    }
    if (filter.state() != null) {
      query.bind("state", filter.state().name());
    }
    if (filter.since() != null) {
      query.bind("since", millis(filter.since()));
    }
    if (filter.until() != null) {
      query.bind("until", millis(filter.until()));
    }
    if (filter.event() != null) {
      query.bind("event", filter.event());
    }
    return query.map(Rows.DELIVERIES).list();
  }

  @Override
  public List<DeliveryCount> deliveryCounts(
      long workspaceId, Instant since, Duration bucket, int buckets) {
    long start = millis(since);
    long size = bucket.toMillis();
    // Integer division by the bucket's length numbers the buckets the same way in both dialects.
    // Purged deliveries are counted in delivery_counts, by the hour they were created in; the
    // purge moves each from one to the other in one transaction, and this is one statement, so
    // each delivery is counted once.
    return h.createQuery(
            "SELECT bucket, SUM(total) AS total, SUM(failed) AS failed FROM ("
                + "SELECT (created_at - :start) / :size AS bucket, COUNT(*) AS total,"
                + " SUM(CASE WHEN state = 'FAILED' THEN 1 ELSE 0 END) AS failed"
                + " FROM deliveries WHERE workspace_id = :ws AND created_at >= :start"
                + " AND created_at < :end GROUP BY bucket"
                + " UNION ALL SELECT (hour - :start) / :size AS bucket,"
                + " SUM(succeeded + failed) AS total, SUM(failed) AS failed"
                + " FROM delivery_counts WHERE workspace_id = :ws AND hour >= :start"
                + " AND hour < :end GROUP BY bucket"
                + ") counted GROUP BY bucket ORDER BY bucket")
        .bind("ws", workspaceId)
        .bind("start", start)
        .bind("size", size)
        .bind("end", start + size * buckets)
        .map(
            (rs, ctx) ->
                new DeliveryCount(
                    Instant.ofEpochMilli(start + rs.getLong("bucket") * size),
                    rs.getLong("total"),
                    rs.getLong("failed")))
        .list();
  }
}
