package org.backchannel.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.sdk.AppSecret;
import org.backchannel.server.BackchannelServer;
import org.backchannel.server.Config;
import org.backchannel.testkit.SettableClock;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example app against the real server, wired through the server's API as an operator would:
 * every contract end to end, with nothing mocked on either side.
 */
class ExampleAppEndToEndTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  final SettableClock clock = new SettableClock(NOW);
  final HttpClient client = HttpClient.newHttpClient();
  Store store;
  BackchannelServer server;
  ExampleApp example;
  String adminToken;
  String memberToken;
  long memberId;
  long flowId;
  long appId;
  String appSecret;
  String flowToken;

  @BeforeEach
  void start() {
    store = TestDatabases.sqlite();
    Map<String, String> settings = Config.defaults();
    settings.put("port", "0");
    settings.put("dev", "true"); // lets the server call the example on loopback
    settings.put("worker", "false");
    settings.put("secret_key", SecretBox.newKey());
    server = BackchannelServer.start(Config.from(settings), store, clock);

    adminToken =
        server.backchannel().directory().bootstrap("Acme", "Ada Admin", "ada@example.com").secret();
    JsonNode member =
        ok(
            post(
                "/api/v1/users",
                adminToken,
                "{\"name\":\"Mia Member\",\"email\":\"mia@example.com\"}"));
    memberToken = member.get("token").asText();
    memberId = member.get("id").asLong();
    flowId =
        ok(post("/api/v1/flows", adminToken, "{\"name\":\"dev\",\"members\":[" + memberId + "]}"))
            .get("id")
            .asLong();
    JsonNode app =
        ok(post("/api/v1/apps", adminToken, "{\"name\":\"Example\",\"client_id\":\"example\"}"));
    appId = app.get("id").asLong();
    appSecret = app.get("secret").asText();
    flowToken =
        ok(post(
                "/api/v1/sources",
                adminToken,
                "{\"app_id\":" + appId + ",\"flow_id\":" + flowId + "}"))
            .get("flow_token")
            .asText();

    example =
        ExampleApp.start(
            new ExampleApp.Settings(
                server.url(), AppSecret.of(appSecret), flowToken, 0, null, null, "Notes"),
            clock.withZone(ZoneOffset.UTC)); // the same time as the server's
  }

  @AfterEach
  void stop() {
    if (example != null) {
      example.close();
    }
    server.close();
    store.close();
  }

  // ---- UpdateAction (Flowdock)

  @Test
  void anUpdateActionAsksToLinkTheAccountThenUpdatesTheThread() throws Exception {
    String activity =
        """
        {"flow_token": "%s", "event": "activity", "author": {"name": "ci"},
         "title": "Opened issue", "external_thread_id": "example:issue:42",
         "thread": {"title": "Fix the bug", "status": {"color": "green", "value": "open"},
           "actions": [{"@type": "UpdateAction", "name": "Assign to me",
             "target": {"@type": "EntryPoint", "urlTemplate": "%s", "httpMethod": "POST"}}]}}
        """
            .formatted(flowToken, example.url() + "/actions?thread=example%3Aissue%3A42");
    long thread = ok(post("/messages", null, activity)).get("thread_id").asLong();
    String select = "/api/v1/threads/" + thread + "/actions/0";

    // Not linked yet: the member is sent to the example's /auth page with a claim.
    JsonNode first = ok(post(select, memberToken, ""));
    assertThat(first.get("outcome").asText()).as(first.toString()).isEqualTo("authenticate");
    String url = first.get("url").asText();
    assertThat(url).startsWith(example.url() + "/auth?claim=");
    assertThat(status(thread).get("value").asText()).isEqualTo("open");

    // Following the link verifies the claim and links the account, once.
    HttpResponse<String> linked = get(URI.create(url));
    assertThat(linked.statusCode()).as(linked.body()).isEqualTo(200);
    assertThat(linked.body()).contains("Account linked");
    assertThat(example.link(Long.toString(memberId))).isNotNull();
    assertThat(get(URI.create(url)).statusCode()).isEqualTo(409);
    String forged = url.substring(0, url.length() - 2) + (url.endsWith("A") ? "BB" : "AA");
    assertThat(get(URI.create(forged)).statusCode()).isEqualTo(403);

    // Linked: done, and the example's new activity changed the thread's status.
    JsonNode second = ok(post(select, memberToken, ""));
    assertThat(second.get("outcome").asText()).as(second.toString()).isEqualTo("done");
    JsonNode status = status(thread);
    assertThat(status.get("color").asText()).isEqualTo("blue");
    assertThat(status.get("value").asText()).isEqualTo("assigned to Mia Member");
    JsonNode messages = ok(get("/api/v1/threads/" + thread + "/messages", memberToken));
    assertThat(messages.toString()).contains("Assign to me by Mia Member");
  }

  @Test
  void aCallWithoutAValidTokenNeverReachesTheApp() throws Exception {
    HttpResponse<String> forged =
        client.send(
            HttpRequest.newBuilder(URI.create(example.url() + "/actions?thread=x"))
                .header("FLOWDOCK-TOKEN", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")
                .POST(HttpRequest.BodyPublishers.ofString("{\"@type\":\"UpdateAction\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(403);
    HttpResponse<String> unsigned =
        client.send(
            HttpRequest.newBuilder(URI.create(example.url() + "/flowdash"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(unsigned.body()).get("check").asText()).isEqualTo("MISSING");
  }

  // ---- App events (Flock)

  @Test
  void installSlashCommandAndUrlPreviewReachTheExampleAndItsAnswersCount() {
    ok(
        put(
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            """
            {"event_listener_url": "%s/events",
             "url_patterns": ["https://issues.example.com/*"],
             "controls": [{"type": "slashCommand", "name": "example"}]}
            """
                .formatted(example.url())));
    String platform = "/api/v1/platform/apps/" + appId;

    JsonNode installed = ok(post(platform + "/install", memberToken, ""));
    assertThat(installed.get("outcome").asText()).as(installed.toString()).isEqualTo("installed");
    String token = example.installToken("u:" + memberId);
    assertThat(token).isNotBlank();
    // The token the example kept lets it act as the member.
    ok(
        post(
            "/v1/chat.sendMessage",
            null,
            "{\"token\":\"%s\",\"to\":\"g:%d\",\"text\":\"hello from the example\"}"
                .formatted(token, flowId)));

    JsonNode command =
        ok(
            post(
                platform + "/slash-commands",
                memberToken,
                "{\"command\":\"example\",\"text\":\"buy milk\",\"chat\":\"g:%d\"}"
                    .formatted(flowId)));
    assertThat(command.get("outcome").asText()).as(command.toString()).isEqualTo("done");
    assertThat(command.get("text").asText()).isEqualTo("Example app got: buy milk");

    JsonNode message =
        ok(
            post(
                "/api/v1/platform/flows/" + flowId + "/messages",
                memberToken,
                "{\"text\":\"see https://issues.example.com/42\"}"));
    JsonNode attachment = message.get("attachments").get(0);
    assertThat(attachment.get("title").asText()).isEqualTo("Preview of 42");
    assertThat(attachment.get("description").asText()).isEqualTo("https://issues.example.com/42");
    assertThat(attachment.get("views").get("flockml").asText())
        .isEqualTo("<flockml>Previewed by the <b>example app</b></flockml>");
  }

  // ---- Workflow API calls (Flowdash)

  @Test
  void aWorkflowApiCallToTheExampleSucceedsAndUpdatesTheTask() throws Exception {
    long workflow =
        ok(post(
                "/api/v1/workflows",
                adminToken,
                """
                    {"name": "Deals", "app_id": %d,
                     "fields": [{"name": "Company Name", "type": "text", "required": true},
                                {"name": "Notes", "type": "text"}],
                     "stages": [{"name": "Lead"}, {"name": "Checked", "end": true}],
                     "actions": [{"name": "Check", "stages": ["Lead"],
                       "steps": [{"type": "api_call", "url": "%s/flowdash"},
                                 {"type": "move_to_stage", "stage": "Checked"}]}]}
                    """
                    .formatted(appId, example.url())))
            .get("id")
            .asLong();
    String tasks = "/api/v1/workflows/" + workflow + "/tasks";
    long task =
        ok(post(tasks, memberToken, "{\"fields\": {\"Company Name\": \"Acme Corp\"}}"))
            .get("id")
            .asLong();

    HttpResponse<String> started =
        send(
            "POST",
            "/api/v1/workflows/" + workflow + "/executions",
            memberToken,
            "{\"task_id\": " + task + ", \"action_id\": 1}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    long execution = json(started).get("id").asLong();
    JsonNode done = awaitExecution(execution);

    assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("Succeeded");
    JsonNode fields = ok(get(tasks + "/" + task, memberToken)).get("fields");
    assertThat(fields.get("Notes").asText())
        .isEqualTo("Checked by the example app: Check by mia@example.com");
    assertThat(ok(get(tasks + "/" + task, memberToken)).get("stage").asText()).isEqualTo("Checked");
  }

  JsonNode awaitExecution(long id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      JsonNode execution = ok(get("/api/v1/executions/" + id, memberToken));
      String status = execution.get("status").asText();
      if (!status.equals("Pending") && !status.equals("Running")) {
        return execution;
      }
      assertThat(System.nanoTime()).as("execution finished in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  // ---- HTTP

  JsonNode status(long thread) {
    return ok(get("/api/v1/threads/" + thread, memberToken)).get("status");
  }

  HttpResponse<String> post(String path, String token, String body) {
    return send("POST", path, token, body);
  }

  HttpResponse<String> put(String path, String token, String body) {
    return send("PUT", path, token, body);
  }

  HttpResponse<String> get(String path, String token) {
    return send("GET", path, token, null);
  }

  HttpResponse<String> get(URI uri) {
    return send(HttpRequest.newBuilder(uri).GET());
  }

  HttpResponse<String> send(String method, String path, String token, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.url().resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return send(b);
  }

  HttpResponse<String> send(HttpRequest.Builder builder) {
    try {
      return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return json(response);
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
