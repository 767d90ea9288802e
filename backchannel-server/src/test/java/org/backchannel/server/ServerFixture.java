package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Instant;
import java.util.Map;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real server on a real store with a real receiver for the app, set up through the API as an
 * operator would: a workspace, its admin, a member, an outsider, a flow, an app and its source.
 * After each test, every exchange made through {@link #http} is checked against the OpenAPI
 * document the server serves.
 */
abstract class ServerFixture {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  abstract Store newStore();

  /** Lets a test class change settings before the server starts. */
  void configure(Map<String, String> settings) {}

  /** What traces the server; null: as the OTEL_* variables say (off in tests). */
  OpenTelemetry telemetry() {
    return null;
  }

  final SettableClock clock = new SettableClock(NOW);
  Store store;
  RecordingReceiver app;
  BackchannelServer server;
  Http http;
  String adminToken;
  String memberToken;
  long memberId;
  String outsiderToken;
  long flowId;
  long appId;
  String appSecret;
  String flowToken;
  final String secretKey = SecretBox.newKey();

  @BeforeEach
  void start() {
    store = newStore();
    app = RecordingReceiver.start();
    Map<String, String> settings = Config.defaults();
    settings.put("port", "0");
    settings.put("dev", "true");
    settings.put("interactive_timeout", "2s"); // short for tests, with room for a busy machine
    settings.put("secret_key", secretKey);
    settings.put("worker", "false"); // tests send background deliveries with drain()
    configure(settings);
    server = BackchannelServer.start(Config.from(settings), store, clock, telemetry());
    http = new Http(server.url());

    adminToken =
        server.backchannel().directory().bootstrap("Acme", "Ada Admin", "ada@example.com").secret();
    JsonNode member =
        ok(
            http.post(
                "/api/v1/users",
                adminToken,
                """
                {"name":"Mia Member","email":"mia@example.com","avatar":"https://example.com/mia.png"}
                """));
    memberToken = member.get("token").asText();
    memberId = member.get("id").asLong();
    outsiderToken =
        ok(http.post(
                "/api/v1/users", adminToken, "{\"name\":\"Otto\",\"email\":\"otto@example.com\"}"))
            .get("token")
            .asText();
    flowId =
        ok(http.post(
                "/api/v1/flows", adminToken, "{\"name\":\"dev\",\"members\":[" + memberId + "]}"))
            .get("id")
            .asLong();
    JsonNode registered =
        ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"GitHub\",\"client_id\":\"gh\"}"));
    appId = registered.get("id").asLong();
    appSecret = registered.get("secret").asText();
    flowToken =
        ok(http.post(
                "/api/v1/sources",
                adminToken,
                "{\"app_id\":" + appId + ",\"flow_id\":" + flowId + "}"))
            .get("flow_token")
            .asText();
  }

  @AfterEach
  void stop() {
    server.close();
    app.close();
    store.close();
  }

  /** Every request this test made through {@link #http}, and every answer, fit the OpenAPI. */
  @AfterEach
  void exchangesFitTheOpenApiDocument() {
    if (http != null) {
      OpenApiCheck.get().assertFits(http.exchanges());
    }
  }

  static JsonNode ok(Http.Answer answer) {
    assertThat(answer.status()).as(answer.text()).isBetween(200, 299);
    return answer.json();
  }

  /** The seed's example activity, with its UpdateAction aimed at the test's receiver. */
  String activity(String externalThreadId) {
    return """
        {
          "flow_token": "%s",
          "event": "activity",
          "author": {"name": "anttipitkanen", "avatar": "https://avatars.githubusercontent.com/u/946511?v=2"},
          "title": "Opened pull request",
          "external_thread_id": "%s",
          "thread": {
            "title": "Fix bug in thread API",
            "external_url": "https://github.com/flowdock/component/pull/42",
            "status": {"color": "green", "value": "open"},
            "fields": [{"label": "Repository", "value": "flowdock/component"}],
            "actions": [
              {
                "@type": "UpdateAction",
                "name": "Assign to me",
                "target": {
                  "@type": "EntryPoint",
                  "urlTemplate": "%s",
                  "httpMethod": "POST"
                }
              },
              {"@type": "ViewAction", "name": "Open diff", "url": "https://github.com/flowdock/component/pull/42/files"}
            ]
          }
        }
        """
        .formatted(flowToken, externalThreadId, app.url("/issues/42/assign-to-me"));
  }

  long postActivity() {
    JsonNode posted = ok(http.post("/messages", null, activity("github:component:pr:42")));
    return posted.get("thread_id").asLong();
  }

  JsonNode select(long thread, int index, String token) {
    return ok(http.post("/api/v1/threads/" + thread + "/actions/" + index, token, ""));
  }
}
