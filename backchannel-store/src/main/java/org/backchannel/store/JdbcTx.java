package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryCount;
import org.backchannel.core.delivery.DeliveryFilter;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Payload;
import org.backchannel.core.delivery.SettledAttempt;
import org.backchannel.core.platform.PlatformStore;
import org.backchannel.core.store.Tx;
import org.backchannel.core.threads.Author;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;
import org.backchannel.core.threads.ThreadData;
import org.backchannel.core.threads.ThreadJson;
import org.backchannel.core.web.WebStore;
import org.backchannel.core.workflows.WorkflowStore;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.Workspace;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.NoTemplateEngine;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/** One transaction's view of the store: every method runs on the transaction's handle. */
final class JdbcTx implements Tx {
  private final Handle h;
  private final JdbcQueue queue;
  private final Dialect dialect;

  /** Whether this transaction made background deliveries due. */
  boolean madeWorkDue() {
    return queue.newWork();
  }

  JdbcTx(Handle handle, Dialect dialect) {
    this.h = handle;
    this.queue = new JdbcQueue(handle, dialect);
    this.dialect = dialect;
  }

  @Override
  public WorkflowStore workflows() {
    return new JdbcWorkflowStore(h);
  }

  @Override
  public PlatformStore platform() {
    return new JdbcPlatformStore(h);
  }

  @Override
  public WebStore web() {
    return new JdbcWebStore(h);
  }

  // ---- workspaces, users, flows, members

  @Override
  public Workspace insertWorkspace(String name, Instant now) {
    return h.createQuery(
            "INSERT INTO workspaces (name, created_at) VALUES (:name, :now) RETURNING "
                + Rows.WORKSPACE)
        .bind("name", name)
        .bind("now", millis(now))
        .map(Rows.WORKSPACES)
        .one();
  }

  @Override
  public Optional<Workspace> workspace(long id) {
    return h.createQuery("SELECT " + Rows.WORKSPACE + " FROM workspaces WHERE id = :id")
        .bind("id", id)
        .map(Rows.WORKSPACES)
        .findOne();
  }

  @Override
  public List<Workspace> workspaces() {
    return h.createQuery("SELECT " + Rows.WORKSPACE + " FROM workspaces ORDER BY id")
        .map(Rows.WORKSPACES)
        .list();
  }

  @Override
  public User insertUser(
      long workspaceId,
      String name,
      String email,
      String avatar,
      User.Role role,
      String tokenHash,
      Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO users (workspace_id, name, email, avatar, role, token_hash,"
                        + " created_at) VALUES (:ws, :name, :email, :avatar, :role, :token, :now)"
                        + " RETURNING "
                        + Rows.USER)
                .bind("ws", workspaceId)
                .bind("name", name)
                .bind("email", email)
                .bind("avatar", avatar)
                .bind("role", role.name())
                .bind("token", tokenHash)
                .bind("now", millis(now))
                .map(Rows.USERS)
                .one(),
        Map.of(
            "email",
            "a user with email " + email + " already exists in this workspace",
            "token_hash",
            "that token is already in use"));
  }

  @Override
  public Optional<User> user(long id) {
    return h.createQuery("SELECT " + Rows.USER + " FROM users WHERE id = :id")
        .bind("id", id)
        .map(Rows.USERS)
        .findOne();
  }

  @Override
  public Optional<User> userByEmail(long workspaceId, String email) {
    return h.createQuery(
            "SELECT " + Rows.USER + " FROM users WHERE workspace_id = :ws AND email = :email")
        .bind("ws", workspaceId)
        .bind("email", email)
        .map(Rows.USERS)
        .findOne();
  }

  @Override
  public Optional<User> userByTokenHash(String tokenHash) {
    return h.createQuery("SELECT " + Rows.USER + " FROM users WHERE token_hash = :token")
        .bind("token", tokenHash)
        .map(Rows.USERS)
        .findOne();
  }

  @Override
  public List<User> users(long workspaceId) {
    return h.createQuery("SELECT " + Rows.USER + " FROM users WHERE workspace_id = :ws ORDER BY id")
        .bind("ws", workspaceId)
        .map(Rows.USERS)
        .list();
  }

  @Override
  public void setUserRole(long userId, User.Role role) {
    int updated =
        h.createUpdate("UPDATE users SET role = :role WHERE id = :id")
            .bind("role", role.name())
            .bind("id", userId)
            .execute();
    if (updated == 0) {
      throw new Problem.NotFound("user " + userId);
    }
  }

  @Override
  public void setUserTokenHash(long userId, String tokenHash) {
    int updated =
        Conflicts.translate(
            () ->
                h.createUpdate("UPDATE users SET token_hash = :token WHERE id = :id")
                    .bind("token", tokenHash)
                    .bind("id", userId)
                    .execute(),
            Map.of("token_hash", "that token is already in use"));
    if (updated == 0) {
      throw new Problem.NotFound("user " + userId);
    }
  }

  @Override
  public void setUserDeactivated(long userId, Instant at, String tokenHash) {
    int updated =
        Conflicts.translate(
            () ->
                h.createUpdate(
                        "UPDATE users SET deactivated_at = :at, token_hash = :token WHERE id = :id")
                    .bind("at", millis(at))
                    .bind("token", tokenHash)
                    .bind("id", userId)
                    .execute(),
            Map.of("token_hash", "that token is already in use"));
    if (updated == 0) {
      throw new Problem.NotFound("user " + userId);
    }
  }

  @Override
  public Flow insertFlow(long workspaceId, String name, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO flows (workspace_id, name, created_at) VALUES (:ws, :name, :now)"
                        + " RETURNING "
                        + Rows.FLOW)
                .bind("ws", workspaceId)
                .bind("name", name)
                .bind("now", millis(now))
                .map(Rows.FLOWS)
                .one(),
        Map.of("name", "a flow named " + name + " already exists in this workspace"));
  }

  @Override
  public Optional<Flow> flow(long id) {
    return h.createQuery("SELECT " + Rows.FLOW + " FROM flows WHERE id = :id")
        .bind("id", id)
        .map(Rows.FLOWS)
        .findOne();
  }

  @Override
  public Optional<Flow> flowByName(long workspaceId, String name) {
    return h.createQuery(
            "SELECT " + Rows.FLOW + " FROM flows WHERE workspace_id = :ws AND name = :name")
        .bind("ws", workspaceId)
        .bind("name", name)
        .map(Rows.FLOWS)
        .findOne();
  }

  @Override
  public List<Flow> flows(long workspaceId) {
    return h.createQuery(
            "SELECT " + Rows.FLOW + " FROM flows WHERE workspace_id = :ws ORDER BY name, id")
        .bind("ws", workspaceId)
        .map(Rows.FLOWS)
        .list();
  }

  @Override
  public List<Flow> flowsOfMember(long userId) {
    return h.createQuery(
            "SELECT f.id, f.workspace_id, f.name, f.created_at FROM flows f"
                + " JOIN flow_members m ON m.flow_id = f.id"
                + " WHERE m.user_id = :user ORDER BY f.name, f.id")
        .bind("user", userId)
        .map(Rows.FLOWS)
        .list();
  }

  @Override
  public void addMember(long flowId, long userId, Instant now) {
    h.createUpdate(
            "INSERT INTO flow_members (flow_id, user_id, created_at) VALUES (:flow, :user, :now)"
                + " ON CONFLICT DO NOTHING")
        .bind("flow", flowId)
        .bind("user", userId)
        .bind("now", millis(now))
        .execute();
  }

  @Override
  public boolean removeMember(long flowId, long userId) {
    return h.createUpdate("DELETE FROM flow_members WHERE flow_id = :flow AND user_id = :user")
            .bind("flow", flowId)
            .bind("user", userId)
            .execute()
        > 0;
  }

  @Override
  public boolean isMember(long flowId, long userId) {
    return h.createQuery(
                "SELECT COUNT(*) FROM flow_members WHERE flow_id = :flow AND user_id = :user")
            .bind("flow", flowId)
            .bind("user", userId)
            .mapTo(Long.class)
            .one()
        > 0;
  }

  @Override
  public List<User> members(long flowId) {
    return h.createQuery(
            "SELECT u.id, u.workspace_id, u.name, u.email, u.avatar, u.role, u.created_at,"
                + " u.deactivated_at"
                + " FROM users u JOIN flow_members m ON m.user_id = u.id"
                + " WHERE m.flow_id = :flow ORDER BY u.id")
        .bind("flow", flowId)
        .map(Rows.USERS)
        .list();
  }

  // ---- apps and sources

  @Override
  public App insertApp(
      long workspaceId, String name, String clientId, String secretCiphertext, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO apps (workspace_id, name, client_id, secret_ciphertext,"
                        + " created_at) VALUES (:ws, :name, :client, :secret, :now) RETURNING "
                        + Rows.APP)
                .bind("ws", workspaceId)
                .bind("name", name)
                .bind("client", clientId)
                .bind("secret", secretCiphertext)
                .bind("now", millis(now))
                .map(Rows.APPS)
                .one(),
        Map.of("client_id", "an app with client id " + clientId + " already exists"));
  }

  @Override
  public Optional<App> app(long id) {
    return h.createQuery("SELECT " + Rows.APP + " FROM apps WHERE id = :id")
        .bind("id", id)
        .map(Rows.APPS)
        .findOne();
  }

  @Override
  public List<App> apps(long workspaceId) {
    return h.createQuery("SELECT " + Rows.APP + " FROM apps WHERE workspace_id = :ws ORDER BY id")
        .bind("ws", workspaceId)
        .map(Rows.APPS)
        .list();
  }

  @Override
  public String appSecretCiphertext(long appId) {
    return h.createQuery("SELECT secret_ciphertext FROM apps WHERE id = :id")
        .bind("id", appId)
        .mapTo(String.class)
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("app " + appId));
  }

  @Override
  public Source insertSource(long appId, long flowId, String name, String tokenHash, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO sources (app_id, flow_id, name, token_hash, created_at)"
                        + " VALUES (:app, :flow, :name, :token, :now) RETURNING "
                        + Rows.SOURCE)
                .bind("app", appId)
                .bind("flow", flowId)
                .bind("name", name)
                .bind("token", tokenHash)
                .bind("now", millis(now))
                .map(Rows.SOURCES)
                .one(),
        Map.of("token_hash", "that flow token is already in use"));
  }

  @Override
  public Optional<Source> source(long id) {
    return h.createQuery("SELECT " + Rows.SOURCE + " FROM sources WHERE id = :id")
        .bind("id", id)
        .map(Rows.SOURCES)
        .findOne();
  }

  @Override
  public Optional<Source> sourceByTokenHash(String tokenHash) {
    return h.createQuery(
            "SELECT "
                + Rows.SOURCE
                + " FROM sources WHERE token_hash = :token AND revoked_at IS NULL")
        .bind("token", tokenHash)
        .map(Rows.SOURCES)
        .findOne();
  }

  @Override
  public List<Source> sources(long workspaceId) {
    return h.createQuery(
            "SELECT s.id, s.app_id, s.flow_id, s.name, s.created_at, s.revoked_at"
                + " FROM sources s JOIN apps a ON a.id = s.app_id"
                + " WHERE a.workspace_id = :ws ORDER BY s.id")
        .bind("ws", workspaceId)
        .map(Rows.SOURCES)
        .list();
  }

  @Override
  public boolean revokeSource(long sourceId, Instant now) {
    return h.createUpdate(
                "UPDATE sources SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
            .bind("now", millis(now))
            .bind("id", sourceId)
            .execute()
        > 0;
  }

  // ---- threads and messages

  @Override
  public Optional<FlowThread> threadByExternalId(long sourceId, String externalThreadId) {
    return h.createQuery(
            "SELECT "
                + Rows.THREAD
                + " FROM threads WHERE source_id = :source AND external_thread_id = :ext")
        .bind("source", sourceId)
        .bind("ext", externalThreadId)
        .map(Rows.THREADS)
        .findOne();
  }

  @Override
  public FlowThread insertThread(
      long flowId, long sourceId, String externalThreadId, ThreadData data, Instant now) {
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO threads (flow_id, source_id, external_thread_id, data,"
                        + " created_at, updated_at) VALUES (:flow, :source, :ext, :data, :now,"
                        + " :now) RETURNING "
                        + Rows.THREAD)
                .bind("flow", flowId)
                .bind("source", sourceId)
                .bind("ext", externalThreadId)
                .bind("data", ThreadJson.write(data))
                .bind("now", millis(now))
                .map(Rows.THREADS)
                .one(),
        Map.of(
            "external_thread_id",
            "the source already has a thread with external id " + externalThreadId));
  }

  @Override
  public FlowThread updateThread(long threadId, ThreadData data, Instant now) {
    return h.createQuery(
            "UPDATE threads SET data = :data, updated_at = :now WHERE id = :id RETURNING "
                + Rows.THREAD)
        .bind("data", ThreadJson.write(data))
        .bind("now", millis(now))
        .bind("id", threadId)
        .map(Rows.THREADS)
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("thread " + threadId));
  }

  @Override
  public Optional<FlowThread> thread(long id) {
    return h.createQuery("SELECT " + Rows.THREAD + " FROM threads WHERE id = :id")
        .bind("id", id)
        .map(Rows.THREADS)
        .findOne();
  }

  @Override
  public List<FlowThread> threads(long flowId, PageRequest page) {
    return Paging.paged(h, "SELECT " + Rows.THREAD + " FROM threads WHERE flow_id = :flow", page)
        .bind("flow", flowId)
        .map(Rows.THREADS)
        .list();
  }

  @Override
  public Message insertMessage(
      long flowId,
      Long threadId,
      Long sourceId,
      Long userId,
      String event,
      Author author,
      String title,
      String body,
      Instant now) {
    return h.createQuery(
            "INSERT INTO messages (flow_id, thread_id, source_id, user_id, event, author, title,"
                + " body, created_at) VALUES (:flow, :thread, :source, :user, :event, :author,"
                + " :title, :body, :now) RETURNING "
                + Rows.MESSAGE)
        .bind("flow", flowId)
        .bind("thread", threadId)
        .bind("source", sourceId)
        .bind("user", userId)
        .bind("event", event)
        .bind("author", author == null ? null : Json.write(author))
        .bind("title", title)
        .bind("body", body)
        .bind("now", millis(now))
        .map(Rows.MESSAGES)
        .one();
  }

  @Override
  public List<Message> messagesOfThread(long threadId, PageRequest page) {
    return Paging.paged(
            h, "SELECT " + Rows.MESSAGE + " FROM messages WHERE thread_id = :thread", page)
        .bind("thread", threadId)
        .map(Rows.MESSAGES)
        .list();
  }

  @Override
  public List<Message> messagesOfFlow(long flowId, PageRequest page) {
    return Paging.paged(h, "SELECT " + Rows.MESSAGE + " FROM messages WHERE flow_id = :flow", page)
        .bind("flow", flowId)
        .map(Rows.MESSAGES)
        .list();
  }

  // ---- deliveries and attempts

  @Override
  public Delivery insertDelivery(NewDelivery d, Initial initial, Instant now) {
    if (d.idempotencyKey() != null) {
      Optional<Delivery> earlier =
          h.createQuery(
                  "SELECT "
                      + Rows.DELIVERY
                      + " FROM deliveries WHERE app_id = :app AND idempotency_key = :key")
              .bind("app", d.appId())
              .bind("key", d.idempotencyKey())
              .map(Rows.DELIVERIES)
              .findOne();
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    String messageId = initial.messageId();
    Delivery delivery =
        Conflicts.translate(
            () ->
                h.createQuery(
                        "INSERT INTO deliveries (workspace_id, app_id, message_id, contract,"
                            + " event, method, url, actor_user_id, interactive, state,"
                            + " attempt_count, next_attempt_at, created_at, updated_at,"
                            + " idempotency_key, endpoint_id) VALUES"
                            + " (:ws, :app, :message, :contract, :event, :method, :url, :actor,"
                            + " :interactive, :state, 0, :due, :now, :now, :key, :endpoint)"
                            + " RETURNING "
                            + Rows.DELIVERY)
                    .bind("ws", d.workspaceId())
                    .bind("app", d.appId())
                    .bind("message", messageId)
                    .bind("contract", d.contract().name())
                    .bind("event", d.event())
                    .bind("method", d.method())
                    .bind("url", d.url())
                    .bind("actor", d.actorUserId())
                    .bind("interactive", initial.interactive())
                    .bind("key", d.idempotencyKey())
                    .bind("endpoint", initial.endpointId())
                    .bind("state", initial.state().name())
                    .bind("due", millis(initial.nextAttemptAt()))
                    .bind("now", millis(now))
                    .map(Rows.DELIVERIES)
                    .one(),
            Map.of("message_id", "a delivery with message id " + messageId + " already exists"));
    if (initial.state() == DeliveryState.PENDING) {
      queue.madeWorkDue();
    }
    h.createUpdate(
            "INSERT INTO delivery_bodies (delivery_id, body, sealed_headers)"
                + " VALUES (:id, :body, :headers)")
        .bind("id", delivery.id())
        .bind("body", d.body() == null ? new byte[0] : d.body())
        .bind("headers", d.sealedHeaders())
        .execute();
    return delivery;
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
            "SELECT delivery_id, body, sealed_headers FROM delivery_bodies"
                + " WHERE delivery_id IN (<ids>)")
        .bindList("ids", deliveryIds)
        .map(
            (rs, ctx) -> {
              out.put(
                  rs.getLong("delivery_id"),
                  new Payload(rs.getBytes("body"), rs.getString("sealed_headers")));
              return null;
            })
        .list();
    return out;
  }

  @Override
  public Payload deliveryPayload(long deliveryId) {
    return h.createQuery("SELECT body, sealed_headers FROM delivery_bodies WHERE delivery_id = :id")
        .bind("id", deliveryId)
        .map((rs, ctx) -> new Payload(rs.getBytes("body"), rs.getString("sealed_headers")))
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

  private static final NoTemplateEngine NO_TEMPLATES = new NoTemplateEngine();

  /** Attempts per INSERT statement at most (14 parameters each). */
  private static final int ATTEMPT_ROWS = 64;

  private List<Attempt> record(List<SettledAttempt> settled, Instant now, boolean bodyByDelivery) {
    Map<Long, Long> ids = new java.util.HashMap<>();
    // Statements of 64, 32, ... 1 rows: a handful of distinct SQL strings, each parsed once.
    for (int from = 0; from < settled.size(); ) {
      int rows = Math.min(ATTEMPT_ROWS, Integer.highestOneBit(settled.size() - from));
      ids.putAll(insertAttempts(settled.subList(from, from + rows), bodyByDelivery));
      from += rows;
    }
    PreparedBatch update =
        h.prepareBatch(
            "UPDATE deliveries SET state = :state, attempt_count = :number,"
                + " next_attempt_at = :next, summary = :summary, updated_at = :now,"
                + " lease_owner = NULL, lease_until = NULL WHERE id = :id");
    for (SettledAttempt s : settled) {
      update
          .bind("state", s.state().name())
          .bind("number", s.attempt().number())
          .bind("next", millis(s.nextAttemptAt()))
          .bind("summary", s.summary())
          .bind("now", millis(now))
          .bind("id", s.attempt().deliveryId())
          .add();
    }
    int[] updated = update.execute();
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
    for (int i = 0; i < rows.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    sql.append(" RETURNING id, delivery_id");
    // No template engine: it would lex this long statement on every call (the parse is cached).
    Query insert = h.createQuery(sql.toString()).setTemplateEngine(NO_TEMPLATES);
    int p = 0;
    for (SettledAttempt s : rows) {
      Attempt a = s.attempt();
      insert
          .bind(p++, a.deliveryId())
          .bind(p++, a.number())
          .bind(p++, millis(a.startedAt()))
          .bind(p++, a.duration().toMillis())
          .bind(p++, a.requestMethod())
          .bind(p++, a.requestUrl())
          .bind(p++, Rows.headersJson(a.requestHeaders()))
          .bind(p++, bodyByDelivery ? null : a.requestBody())
          .bind(p++, bodyByDelivery)
          .bind(p++, a.responseStatus())
          .bind(p++, Rows.headersJson(a.responseHeaders()))
          .bind(p++, a.responseBody())
          .bind(p++, a.error())
          .bind(p++, a.outcome());
    }
    String clash =
        rows.size() == 1
            ? "delivery "
                + rows.get(0).attempt().deliveryId()
                + " already has an attempt number "
                + rows.get(0).attempt().number()
            : "one of these attempts was already recorded";
    Map<Long, Long> ids = new java.util.HashMap<>();
    Conflicts.translate(
        () -> insert.map((rs, ctx) -> ids.put(rs.getLong("delivery_id"), rs.getLong("id"))).list(),
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
    return h.createQuery(
            "SELECT (created_at - :start) / :size AS bucket, COUNT(*) AS total,"
                + " SUM(CASE WHEN state = 'FAILED' THEN 1 ELSE 0 END) AS failed"
                + " FROM deliveries WHERE workspace_id = :ws AND created_at >= :start"
                + " AND created_at < :end GROUP BY bucket ORDER BY bucket")
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

  // ---- the queue and endpoints (statements in JdbcQueue)

  @Override
  public List<Delivery> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
    return queue.claimDue(owner, now, leaseUntil, limit);
  }

  @Override
  public int releaseExpiredLeases(Instant now) {
    return queue.releaseExpiredLeases(now);
  }

  @Override
  public int releaseOwned(String owner, Instant now) {
    return queue.releaseOwned(owner, now);
  }

  @Override
  public boolean requeue(long deliveryId, Instant now) {
    return queue.requeue(deliveryId, now);
  }

  @Override
  public int requeueFailed(long endpointId, Instant since, Instant now) {
    return queue.requeueFailed(endpointId, since, now);
  }

  @Override
  public Map<DeliveryState, Long> countByState() {
    return queue.countByState();
  }

  @Override
  public Endpoint endpointFor(long workspaceId, long appId, String url, Instant now) {
    return queue.endpointFor(workspaceId, appId, url, now);
  }

  @Override
  public Optional<Endpoint> endpoint(long id) {
    return queue.endpoint(id);
  }

  @Override
  public Map<Long, Endpoint> endpointsById(java.util.Collection<Long> ids) {
    return queue.endpointsById(ids);
  }

  @Override
  public List<Endpoint> endpoints(long workspaceId) {
    return queue.endpoints(workspaceId);
  }

  @Override
  public Endpoint updateEndpoint(
      long id, boolean fifo, int maxInFlight, List<String> eventTypes, Instant now) {
    return queue.updateEndpoint(id, fifo, maxInFlight, eventTypes, now);
  }

  @Override
  public void setEndpointFailingSince(long id, Instant since) {
    queue.setFailingSince(id, since);
  }

  @Override
  public void disableEndpoint(long id, String reason, Instant now) {
    queue.disable(id, reason, now);
  }

  @Override
  public void enableEndpoint(long id, Instant now) {
    queue.enable(id, now);
  }
}
