package org.backchannel.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.backchannel.core.Json;
import org.backchannel.core.Page;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.oauth.InstallPolicy;
import org.backchannel.core.oauth.OAuthClient;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.threads.ActionResult;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;
import org.backchannel.core.threads.ThreadJson;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.Workspace;

/** The API's JSON shapes, written out by hand so that they change only on purpose. */
final class Views {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Views() {}

  static ObjectNode workspace(Workspace w, Retention.View r, InstallPolicy installPolicy) {
    return F.objectNode()
        .put("id", w.id())
        .put("name", w.name())
        .put("created_at", time(w.createdAt()))
        .put("retention", Retention.text(r.retention()))
        .put("retention_default", Retention.text(r.server()))
        .put("retention_overridden", r.workspace() != null)
        .put("install_policy", installPolicy.wire());
  }

  static ObjectNode user(User u) {
    return F.objectNode()
        .put("id", u.id())
        .put("workspace_id", u.workspaceId())
        .put("name", u.name())
        .put("email", u.email())
        .put("avatar", u.avatar())
        .put("role", u.role().name().toLowerCase(java.util.Locale.ROOT))
        .put("created_at", time(u.createdAt()))
        .put("deactivated_at", time(u.deactivatedAt()));
  }

  static ObjectNode flow(Flow f) {
    return F.objectNode()
        .put("id", f.id())
        .put("workspace_id", f.workspaceId())
        .put("name", f.name())
        .put("created_at", time(f.createdAt()));
  }

  static ObjectNode app(App a) {
    return F.objectNode()
        .put("id", a.id())
        .put("workspace_id", a.workspaceId())
        .put("name", a.name())
        .put("client_id", a.clientId())
        .put("created_at", time(a.createdAt()));
  }

  /** An app's settings as an OAuth client, with the client id it authenticates with. */
  static ObjectNode oauthClient(App a, OAuthClient c) {
    ObjectNode node = F.objectNode().put("app_id", a.id()).put("client_id", a.clientId());
    ArrayNode uris = node.putArray("redirect_uris");
    c.redirectUris().forEach(uris::add);
    return node.put("public_client", c.publicClient())
        .put("approved", c.approved())
        .put("description", c.description())
        .put("install_url", c.installUrl());
  }

  static ObjectNode source(Source s) {
    return F.objectNode()
        .put("id", s.id())
        .put("app_id", s.appId())
        .put("flow_id", s.flowId())
        .put("name", s.name())
        .put("created_at", time(s.createdAt()))
        .put("revoked_at", time(s.revokedAt()));
  }

  /**
   * A source as an app sees its own: with the page it links to and who made it (the person whose
   * grant it was made under; null for one an admin made).
   */
  static ObjectNode appSource(Source s) {
    ObjectNode node =
        F.objectNode()
            .put("id", s.id())
            .put("app_id", s.appId())
            .put("flow_id", s.flowId())
            .put("name", s.name())
            .put("external_url", s.externalUrl())
            .put("created_by", s.createdBy());
    return node.put("created_at", time(s.createdAt())).put("revoked_at", time(s.revokedAt()));
  }

  static ObjectNode thread(FlowThread t) {
    ObjectNode node =
        F.objectNode()
            .put("id", t.id())
            .put("flow_id", t.flowId())
            .put("source_id", t.sourceId())
            .put("external_thread_id", t.externalThreadId());
    node.setAll((ObjectNode) Json.read(ThreadJson.write(t.data())));
    return node.put("created_at", time(t.createdAt())).put("updated_at", time(t.updatedAt()));
  }

  static ObjectNode message(Message m) {
    ObjectNode node =
        F.objectNode()
            .put("id", m.id())
            .put("flow_id", m.flowId())
            .put("thread_id", m.threadId())
            .put("event", m.event());
    if (m.author() != null) {
      node.set("author", Json.MAPPER.valueToTree(m.author()));
    }
    if (m.userId() != null) {
      node.put("user_id", m.userId());
    }
    node.put("title", m.title());
    node.put("message".equals(m.event()) ? "content" : "body", m.body());
    return node.put("created_at", time(m.createdAt()));
  }

  static ObjectNode delivery(Delivery d) {
    return F.objectNode()
        .put("id", d.id())
        .put("app_id", d.appId())
        .put("message_id", d.messageId())
        .put("contract", d.contract().name().toLowerCase(java.util.Locale.ROOT))
        .put("event", d.event())
        .put("method", d.method())
        .put("url", d.url())
        .put("actor_id", d.contract().actor(d.actorUserId()))
        .put("interactive", d.interactive())
        .put("state", d.state().name().toLowerCase(java.util.Locale.ROOT))
        .put("attempt_count", d.attemptCount())
        .put("next_attempt_at", time(d.nextAttemptAt()))
        .put("endpoint_id", d.endpointId())
        .put("summary", d.summary())
        .put("created_at", time(d.createdAt()))
        .put("updated_at", time(d.updatedAt()));
  }

  static ObjectNode endpoint(Endpoint e) {
    ObjectNode node =
        F.objectNode()
            .put("id", e.id())
            .put("app_id", e.appId())
            .put("kind", e.kind().wire())
            .put("url", e.url())
            .put("fifo", e.fifo())
            .put("max_in_flight", e.maxInFlight());
    // A listener subscribes to nothing: null, not the empty list that means every native event.
    if (e.kind() == Endpoint.Kind.WEBHOOK) {
      e.eventTypes().forEach(node.putArray("event_types")::add);
    } else {
      node.putNull("event_types");
    }
    return node.put("state", e.disabled() ? "disabled" : "enabled")
        .put("disabled_at", time(e.disabledAt()))
        .put("disabled_reason", e.disabledReason())
        .put("failing_since", time(e.failingSince()))
        .put("created_at", time(e.createdAt()))
        .put("updated_at", time(e.updatedAt()));
  }

  static ObjectNode attempt(Attempt a) {
    ObjectNode node =
        F.objectNode()
            .put("id", a.id())
            .put("number", a.number())
            .put("started_at", time(a.startedAt()))
            .put("duration_ms", a.duration().toMillis());
    ObjectNode request =
        node.putObject("request").put("method", a.requestMethod()).put("url", a.requestUrl());
    request.set("headers", headers(a.requestHeaders()));
    request.put("body", a.requestBody());
    ObjectNode response = node.putObject("response").put("status", a.responseStatus());
    response.set("headers", headers(a.responseHeaders()));
    response.put("body", a.responseBody());
    return node.put("error", a.error()).put("outcome", a.outcome());
  }

  static ObjectNode actionResult(ActionResult result) {
    ObjectNode node = F.objectNode();
    switch (result) {
      case ActionResult.Link link -> node.put("outcome", "link").put("url", link.url());
      case ActionResult.Called called -> {
        switch (called.outcome()) {
          case Outcome.Succeeded s -> node.put("outcome", "done").put("status", s.status());
          case Outcome.AuthenticationRequired a ->
              node.put("outcome", "authenticate").put("url", a.url());
          case Outcome.Failed f ->
              node.put("outcome", "failed").put("status", f.status()).put("reason", f.reason());
        }
        node.put("delivery_id", called.deliveryId());
      }
    }
    return node;
  }

  static <T> ObjectNode page(Page<T> page, Function<T, ObjectNode> view) {
    ObjectNode node = F.objectNode();
    node.set("items", list(page.items(), view));
    return node.put("next", page.next());
  }

  static <T> ArrayNode list(List<T> items, Function<T, ObjectNode> view) {
    ArrayNode array = F.arrayNode();
    items.forEach(i -> array.add(view.apply(i)));
    return array;
  }

  private static ObjectNode headers(Map<String, String> headers) {
    ObjectNode node = F.objectNode();
    headers.forEach(node::put);
    return node;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
