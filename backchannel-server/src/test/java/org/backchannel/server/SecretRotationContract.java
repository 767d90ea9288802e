package org.backchannel.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.Json;
import org.backchannel.sdk.Answers;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Event;
import org.backchannel.sdk.Events;
import org.backchannel.sdk.JdkHttpHandlers;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.sdk.VerificationException;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two-phase secret rotation end to end, against a real server and store, with apps that are real
 * HTTP servers verifying with the SDK and knowing one secret each, as a Flock SDK app or the
 * Flowdock seed's Ruby does: an app that knows only the old secret keeps working from the rotation
 * until the activation, and one that knows only the new works right after it. Standard Webhooks
 * verifiers accept either secret while the new one is pending. Runs once per store.
 */
abstract class SecretRotationContract extends ServerFixture {
  private final List<HttpServer> apps = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private Level rootLevel;
  AppSecret old;

  @BeforeEach
  void captureLogs() {
    old = AppSecret.of(appSecret);
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stopApps() {
    root.detachAppender(logs);
    logs.stop();
    root.setLevel(rootLevel);
    apps.forEach(a -> a.stop(0));
  }

  /** A real app on loopback that verifies every call with {@code handler}; its base URL. */
  URI serve(HttpHandler handler) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", handler);
      server.start();
      apps.add(server);
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SDK's clock is the test's. */
  Clock sdkClock() {
    return clock.withZone(ZoneOffset.UTC);
  }

  /** A Flowdock-style app: verifies FLOWDOCK-TOKEN with its one secret, answers 200. */
  URI flowdockApp(AppSecret secret) {
    return serve(JdkHttpHandlers.updateActions(List.of(secret), sdkClock(), v -> Answers.ok()));
  }

  /** A Flock-style app: verifies X-Flock-Event-Token with its one secret, answers 200. */
  URI flockApp(AppSecret secret) {
    return serve(
        JdkHttpHandlers.events(
            List.of(secret),
            sdkClock(),
            event ->
                event instanceof Event.ClientSlashCommand
                    ? Answers.slashCommand("verified")
                    : Answers.ok()));
  }

  JsonNode rotate() {
    return ok(http.post("/api/v1/apps/" + appId + "/secret", adminToken, ""));
  }

  JsonNode secretState() {
    return ok(http.get("/api/v1/apps/" + appId + "/secret", adminToken));
  }

  JsonNode activate(String body) {
    return ok(http.post("/api/v1/apps/" + appId + "/secret/activate", adminToken, body));
  }

  // ---- Flowdock: FLOWDOCK-TOKEN

  /** A thread whose one UpdateAction calls {@code url}; its id. */
  long threadCalling(URI url, String externalId) {
    String activity =
        """
        {"flow_token": "%s", "event": "activity", "author": {"name": "ci"},
         "title": "Build failed", "external_thread_id": "%s",
         "thread": {"title": "Build 7",
                    "actions": [{"@type": "UpdateAction", "name": "Retry",
                                 "target": {"@type": "EntryPoint", "urlTemplate": "%s",
                                            "httpMethod": "POST"}}]}}
        """
            .formatted(flowToken, externalId, url.resolve("retry"));
    return ok(http.post("/messages", null, activity)).get("thread_id").asLong();
  }

  String press(long thread) {
    return select(thread, 0, memberToken).get("outcome").asText();
  }

  @Test
  void aFlowdockAppKnowingOnlyTheOldSecretWorksUntilActivationAndOneKnowingTheNewRightAfter() {
    long onOld = threadCalling(flowdockApp(old), "ci:old");
    assertThat(press(onOld)).isEqualTo("done");

    AppSecret next = AppSecret.of(rotate().get("secret").asText());
    long onNew = threadCalling(flowdockApp(next), "ci:new");
    assertThat(press(onOld)).as("pending: still signed with the old secret").isEqualTo("done");
    assertThat(press(onNew)).as("pending: not yet signed with the new secret").isEqualTo("failed");
    clock.advance(Duration.ofDays(30)); // pending has no deadline
    assertThat(press(onOld)).isEqualTo("done");

    activate("");
    assertThat(press(onNew)).as("right after activation").isEqualTo("done");
    assertThat(press(onOld)).as("the old secret stopped at once").isEqualTo("failed");
  }

  // ---- Flock: X-Flock-Event-Token and flockEventToken

  void listenAt(URI listener) {
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            """
            {"event_listener_url": "%s",
             "controls": [
               {"type": "slashCommand", "name": "todo"},
               {"type": "slashCommand", "name": "board",
                "action": {"type": "openWidget", "url": "https://app.example.com/board",
                           "desktopType": "sidebar"}},
               {"type": "chatTabButton", "name": "Todos"}]}
            """
                .formatted(listener.resolve("events"))));
  }

  JsonNode command(String name) {
    return ok(
        http.post(
            "/api/v1/platform/apps/" + appId + "/slash-commands",
            memberToken,
            "{\"command\":\"%s\",\"chat\":\"g:%d\"}".formatted(name, flowId)));
  }

  String todo() {
    return command("todo").get("outcome").asText();
  }

  /** The query of the widget URL the member's client is given: flockEvent and flockEventToken. */
  String widgetQuery() {
    return URI.create(command("board").get("url").asText()).getRawQuery();
  }

  /** Presses the chat-tab button (a background event) and sends it; the attempt's status. */
  int pressInBackground() {
    long delivery =
        ok(http.post(
                "/api/v1/platform/apps/" + appId + "/buttons/chatTabButton",
                memberToken,
                "{\"chat\":\"g:" + flowId + "\"}"))
            .get("delivery_id")
            .asLong();
    server.backchannel().worker().drain();
    JsonNode attempts = ok(http.get("/api/v1/deliveries/" + delivery, adminToken)).get("attempts");
    return attempts.get(attempts.size() - 1).get("response").get("status").asInt();
  }

  @Test
  void aFlockAppKnowingOnlyTheOldSecretWorksUntilActivationAndOneKnowingTheNewRightAfter() {
    URI onOld = flockApp(old);
    listenAt(onOld);
    assertThat(
            ok(http.post("/api/v1/platform/apps/" + appId + "/install", memberToken, ""))
                .get("outcome")
                .asText())
        .isEqualTo("installed");
    assertThat(todo()).isEqualTo("done");

    AppSecret next = AppSecret.of(rotate().get("secret").asText());
    URI onNew = flockApp(next);
    assertThat(todo()).as("pending: still signed with the old secret").isEqualTo("done");
    assertThat(pressInBackground()).isEqualTo(200);
    String query = widgetQuery();
    assertThatCode(() -> Events.verifyQuery(List.of(old), query, clock.instant()))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Events.verifyQuery(List.of(next), query, clock.instant()))
        .isInstanceOf(VerificationException.class);
    listenAt(onNew);
    assertThat(todo()).as("pending: not yet signed with the new secret").isEqualTo("failed");
    assertThat(pressInBackground()).isEqualTo(403);

    activate("");
    assertThat(todo()).as("right after activation").isEqualTo("done");
    assertThat(pressInBackground()).isEqualTo(200);
    String after = widgetQuery();
    assertThatCode(() -> Events.verifyQuery(List.of(next), after, clock.instant()))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Events.verifyQuery(List.of(old), after, clock.instant()))
        .isInstanceOf(VerificationException.class);
    listenAt(onOld);
    assertThat(todo()).as("the old secret stopped at once").isEqualTo("failed");
  }

  // ---- Standard Webhooks

  /** Publishes a native event to the app's endpoint (the test's receiver) and takes the call. */
  RecordingReceiver.Recorded published() {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events",
            adminToken,
            "{\"type\":\"build.finished\",\"data\":{}}"));
    server.backchannel().worker().drain();
    return app.take(Duration.ofSeconds(5));
  }

  boolean verifies(RecordingReceiver.Recorded call, AppSecret secret) {
    try {
      StandardWebhooks.verify(
          call::header,
          call.body(),
          List.of(secret),
          clock.instant(),
          StandardWebhooks.DEFAULT_TOLERANCE);
      return true;
    } catch (VerificationException e) {
      return false;
    }
  }

  int signatures(RecordingReceiver.Recorded call) {
    return call.header(StandardWebhooks.SIGNATURE).split(" ").length;
  }

  @Test
  void standardWebhooksVerifiersAcceptEitherSecretWhilePendingAndTheGraceIsAskedOnActivation() {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/hooks") + "\"}"));
    app.answer(Answer.status(204));

    AppSecret first = AppSecret.of(rotate().get("secret").asText());
    AppSecret second = AppSecret.of(rotate().get("secret").asText());
    RecordingReceiver.Recorded pending = published();
    assertThat(signatures(pending)).isEqualTo(2);
    assertThat(verifies(pending, old)).isTrue();
    assertThat(verifies(pending, second)).isTrue();
    assertThat(verifies(pending, first)).as("replaced by the second rotation").isFalse();
    assertThat(secretState().get("pending_since").asText()).isEqualTo(clock.instant().toString());

    JsonNode activated = activate("");
    assertThat(activated.get("activated_at").asText()).isEqualTo(clock.instant().toString());
    assertThat(activated.get("previous_secret_expires_at").isNull()).isTrue();
    RecordingReceiver.Recorded after = published();
    assertThat(signatures(after)).isEqualTo(1);
    assertThat(verifies(after, second)).isTrue();
    assertThat(verifies(after, old)).isFalse();

    AppSecret third = AppSecret.of(rotate().get("secret").asText());
    JsonNode graced = activate("{\"grace_seconds\": 3600}");
    JsonNode state = secretState();
    assertThat(state.get("pending_since").isNull()).as("activated: nothing pending").isTrue();
    assertThat(state.get("previous_secret_expires_at").asText())
        .isEqualTo(clock.instant().plusSeconds(3600).toString());
    assertThat(graced.get("previous_secret_expires_at").asText())
        .isEqualTo(clock.instant().plusSeconds(3600).toString());
    RecordingReceiver.Recorded inGrace = published();
    assertThat(signatures(inGrace)).isEqualTo(2);
    assertThat(verifies(inGrace, second)).isTrue();
    assertThat(verifies(inGrace, third)).isTrue();
    clock.advance(Duration.ofSeconds(3601));
    RecordingReceiver.Recorded graceOver = published();
    assertThat(signatures(graceOver)).isEqualTo(1);
    assertThat(verifies(graceOver, third)).isTrue();
    assertThat(verifies(graceOver, second)).isFalse();
  }

  // ---- Flowdash: the API Call's own headers

  /**
   * A Flowdash app written from the seed alone: it trusts the header it was configured with and
   * reads the task in the seed's forms; it knows nothing of the app secret.
   */
  URI flowdashApp() {
    return serve(
        exchange -> {
          JsonNode task = Json.read(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
          boolean ok =
              "Bearer crm-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))
                  && task.path("task").path("Stage").isTextual()
                  && task.path("task").path("Seats").isTextual();
          byte[] answer = ok ? "{\"task\": {\"Seats\": \"3\"}}".getBytes(UTF_8) : new byte[0];
          exchange.sendResponseHeaders(ok ? 200 : 403, answer.length == 0 ? -1 : answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
  }

  @Test
  void aFlowdashAppWorksUnchangedThroughARotation() throws Exception {
    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                """
                {"name": "Seats", "app_id": %d,
                 "fields": [{"name": "Seats", "type": "number"}],
                 "stages": [{"name": "Open"}],
                 "actions": [{"name": "Sync", "steps": [
                   {"type": "api_call", "url": "%s",
                    "headers": {"Authorization": "Bearer crm-token"}}]}]}
                """
                    .formatted(appId, flowdashApp().resolve("sync"))))
            .get("id")
            .asLong();
    long task =
        ok(http.post(
                "/api/v1/workflows/" + workflow + "/tasks",
                memberToken,
                "{\"fields\": {\"Seats\": 2}}"))
            .get("id")
            .asLong();

    assertThat(sync(workflow, task)).as("before the rotation").isEqualTo("Succeeded");
    rotate();
    assertThat(sync(workflow, task)).as("pending").isEqualTo("Succeeded");
    activate("");
    assertThat(sync(workflow, task)).as("after activation").isEqualTo("Succeeded");
  }

  String sync(long workflow, long task) throws Exception {
    long execution =
        ok(http.post(
                "/api/v1/workflows/" + workflow + "/executions",
                memberToken,
                "{\"task_id\": " + task + ", \"action_id\": 1}"))
            .get("id")
            .asLong();
    server.backchannel().workflows().completion(execution).get(10, TimeUnit.SECONDS);
    return ok(http.get("/api/v1/executions/" + execution, memberToken)).get("status").asText();
  }

  // ---- records and logs

  @Test
  void thePendingSecretIsInNoAttemptRecordNorLog() {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/hooks") + "\"}"));
    app.answer(Answer.status(204));
    String pending = rotate().get("secret").asText();
    String whsec =
        "whsec_" + Base64.getEncoder().encodeToString(pending.getBytes(StandardCharsets.UTF_8));
    long delivery =
        ok(http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"build.finished\",\"data\":{}}"))
            .get("deliveries")
            .get(0)
            .get("id")
            .asLong();
    server.backchannel().worker().drain();
    assertThat(app.take(Duration.ofSeconds(5)).header(StandardWebhooks.SIGNATURE)).isNotBlank();

    // an interactive call too: its attempt is recorded, and it is logged
    long thread = threadCalling(app.url("/"), "ci:redacted");
    long called = select(thread, 0, memberToken).get("delivery_id").asLong();
    assertThat(app.take(Duration.ofSeconds(5)).header("FLOWDOCK-TOKEN")).isNotBlank();

    for (long id : List.of(delivery, called)) {
      JsonNode shown = ok(http.get("/api/v1/deliveries/" + id, adminToken));
      assertThat(shown.get("attempts")).hasSize(1);
      JsonNode headers = shown.get("attempts").get(0).get("request").get("headers");
      assertThat(headers.get("webhook-signature").asText()).isEqualTo("[redacted]");
      assertThat(shown.toString()).doesNotContain(pending).doesNotContain(whsec);
    }
    activate("");
    assertThat(logs.list).as("the calls were logged").isNotEmpty();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      assertThat(e.getFormattedMessage()).doesNotContain(pending).doesNotContain(whsec);
    }
  }

  // ---- who may, and what is refused

  @Test
  void onlyAnAdminOfTheWorkspaceRotatesAndActivatesAndWhatIsWrongIsNamed() {
    String secret = "/api/v1/apps/" + appId + "/secret";
    Http.Answer nothing = http.post(secret + "/activate", adminToken, "");
    assertThat(nothing.status()).isEqualTo(409);
    assertThat(nothing.json().get("message").asText()).contains("no pending secret");

    Http.Answer early = http.post(secret, adminToken, "{\"grace_seconds\": 60}");
    assertThat(early.status()).isEqualTo(400);
    assertThat(early.json().get("errors").has("grace_seconds")).isTrue();

    rotate();
    for (String bad : List.of("-1", "604801", "1.5", "\"day\"")) {
      Http.Answer refused =
          http.post(secret + "/activate", adminToken, "{\"grace_seconds\":" + bad + "}");
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.json().get("errors").has("grace_seconds")).as(bad).isTrue();
    }
    assertThat(http.post(secret, memberToken, "").status()).isEqualTo(403);
    assertThat(http.post(secret + "/activate", memberToken, "").status()).isEqualTo(403);
    assertThat(http.get(secret, memberToken).status()).isEqualTo(403);
    String stranger =
        server
            .backchannel()
            .directory()
            .bootstrap("Other", "Sam Stranger", "sam@example.com")
            .secret();
    assertThat(http.post(secret + "/activate", stranger, "").status()).isEqualTo(404);
    assertThat(http.get(secret, stranger).status()).isEqualTo(404);
    assertThat(http.post(secret + "/activate", null, "").status()).isEqualTo(401);

    activate("{\"grace_seconds\": null}");
    assertThat(http.post(secret + "/activate", adminToken, "").status())
        .as("nothing pending any more")
        .isEqualTo(409);
  }
}
