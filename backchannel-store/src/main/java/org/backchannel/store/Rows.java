package org.backchannel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.backchannel.core.Json;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.threads.Author;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;
import org.backchannel.core.threads.ThreadJson;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.Workspace;
import org.jdbi.v3.core.mapper.RowMapper;

/** Column lists and row mappers: one place where rows become records. */
final class Rows {
  private static final TypeReference<LinkedHashMap<String, String>> HEADERS =
      new TypeReference<>() {};

  static final String WORKSPACE = "id, name, created_at";
  static final String USER =
      "id, workspace_id, name, email, avatar, role, created_at, deactivated_at";
  static final String FLOW = "id, workspace_id, name, created_at";
  static final String APP = "id, workspace_id, name, client_id, created_at";
  static final String SOURCE =
      "id, app_id, flow_id, name, created_at, revoked_at, grant_id, created_by, external_url";
  static final String THREAD =
      "id, flow_id, source_id, external_thread_id, data, created_at, updated_at";
  static final String MESSAGE =
      "id, flow_id, thread_id, source_id, user_id, event, author, title, body, created_at";

  /** What a secret is replaced with wherever it was written down. */
  static final String REDACTED = "[redacted]";

  static final String DELIVERY =
      "id, workspace_id, app_id, message_id, contract, event, method, url, actor_user_id,"
          + " interactive,"
          + " state, attempt_count, next_attempt_at, created_at, updated_at, summary, endpoint_id";
  static final String ATTEMPT =
      "id, delivery_id, number, started_at, duration_ms, request_method, request_url,"
          + " request_headers, request_body, response_status, response_headers, response_body,"
          + " error, outcome";

  static final RowMapper<Workspace> WORKSPACES =
      (rs, ctx) -> new Workspace(rs.getLong("id"), rs.getString("name"), instant(rs, "created_at"));

  static final RowMapper<User> USERS =
      (rs, ctx) ->
          new User(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getString("name"),
              rs.getString("email"),
              rs.getString("avatar"),
              User.Role.valueOf(rs.getString("role")),
              instant(rs, "created_at"),
              instant(rs, "deactivated_at"));

  static final RowMapper<Flow> FLOWS =
      (rs, ctx) ->
          new Flow(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getString("name"),
              instant(rs, "created_at"));

  static final RowMapper<App> APPS =
      (rs, ctx) ->
          new App(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getString("name"),
              rs.getString("client_id"),
              instant(rs, "created_at"));

  static final RowMapper<Source> SOURCES =
      (rs, ctx) ->
          new Source(
              rs.getLong("id"),
              rs.getLong("app_id"),
              rs.getLong("flow_id"),
              rs.getString("name"),
              instant(rs, "created_at"),
              instant(rs, "revoked_at"),
              nullableLong(rs, "grant_id"),
              nullableLong(rs, "created_by"),
              rs.getString("external_url"));

  static final RowMapper<FlowThread> THREADS =
      (rs, ctx) ->
          new FlowThread(
              rs.getLong("id"),
              rs.getLong("flow_id"),
              rs.getLong("source_id"),
              rs.getString("external_thread_id"),
              ThreadJson.read(rs.getString("data")),
              instant(rs, "created_at"),
              instant(rs, "updated_at"));

  static final RowMapper<Message> MESSAGES =
      (rs, ctx) -> {
        String author = rs.getString("author");
        return new Message(
            rs.getLong("id"),
            rs.getLong("flow_id"),
            nullableLong(rs, "thread_id"),
            nullableLong(rs, "source_id"),
            nullableLong(rs, "user_id"),
            rs.getString("event"),
            author == null ? null : Json.read(author, Author.class),
            rs.getString("title"),
            rs.getString("body"),
            instant(rs, "created_at"));
      };

  static final RowMapper<Delivery> DELIVERIES =
      (rs, ctx) ->
          new Delivery(
              rs.getLong("id"),
              rs.getLong("workspace_id"),
              rs.getLong("app_id"),
              rs.getString("message_id"),
              Contract.valueOf(rs.getString("contract")),
              rs.getString("event"),
              rs.getString("method"),
              rs.getString("url"),
              nullableLong(rs, "actor_user_id"),
              rs.getBoolean("interactive"),
              DeliveryState.valueOf(rs.getString("state")),
              rs.getInt("attempt_count"),
              instant(rs, "next_attempt_at"),
              instant(rs, "created_at"),
              instant(rs, "updated_at"),
              rs.getString("summary"),
              nullableLong(rs, "endpoint_id"));

  static final RowMapper<Attempt> ATTEMPTS =
      (rs, ctx) -> {
        int status = rs.getInt("response_status");
        Integer responseStatus = rs.wasNull() ? null : status;
        return new Attempt(
            rs.getLong("id"),
            rs.getLong("delivery_id"),
            rs.getInt("number"),
            instant(rs, "started_at"),
            Duration.ofMillis(rs.getLong("duration_ms")),
            rs.getString("request_method"),
            rs.getString("request_url"),
            headers(rs.getString("request_headers")),
            rs.getString("request_body"),
            responseStatus,
            headers(rs.getString("response_headers")),
            rs.getString("response_body"),
            rs.getString("error"),
            rs.getString("outcome"));
      };

  private Rows() {}

  static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  /** Headers as a JSON object, in the map's order. */
  static String headersJson(Map<String, String> headers) {
    return Json.write(headers == null ? Map.of() : headers);
  }

  static Map<String, String> headers(String json) {
    if (json == null) {
      return new LinkedHashMap<>();
    }
    try {
      return Json.MAPPER.readValue(json, HEADERS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored headers are not a JSON object of strings", e);
    }
  }
}
