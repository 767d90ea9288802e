package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What every web framework adapter of the SDK must do, checked over real HTTP. An adapter's test
 * mounts the handlers below at {@code /events}, {@code /widget} (GET), {@code /assign}, {@code
 * /api-call} and {@code /broken} with its own framework, and says where they listen.
 */
public abstract class AdapterContract {
  protected static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  protected static final AppSecret SECRET = AppSecret.of("an-app-secret-of-at-least-32-bytes!!");
  protected static final List<AppSecret> SECRETS = List.of(SECRET);
  protected final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  protected final HttpClient client = HttpClient.newHttpClient();

  /** The app behind {@code /events}: answers a slash command with its text. */
  protected static final Function<Event, Answer> EVENTS =
      event ->
          event instanceof Event.ClientSlashCommand c
              ? Answers.slashCommand("got " + c.text())
              : Answers.ok();

  /** The app behind {@code /widget}: names the widget type it was opened in. */
  protected static final Function<Events.WidgetEvent, Answer> WIDGET =
      opened -> Answers.json(200, Map.of("type", opened.widgetType()));

  /** The app behind {@code /assign}: names the acting user. */
  protected static final Function<UpdateActions.Verified, Answer> ASSIGN =
      call -> Answers.json(200, Map.of("user", call.userId()));

  /** The app behind {@code /api-call}: updates a task field. */
  protected static final Function<byte[], Answer> API_CALL =
      body -> Answers.taskUpdate(Map.of("Plan", "Pro"));

  /** The app behind {@code /broken}: fails. */
  protected static final Function<byte[], Answer> BROKEN =
      body -> {
        throw new IllegalStateException("no database");
      };

  /** The port the adapter under test listens on, on 127.0.0.1. */
  protected abstract int port();

  @Test
  void aSignedEventReachesTheAppAndItsAnswerIsWritten() throws Exception {
    byte[] body =
        "{\"name\":\"client.slashCommand\",\"userId\":\"u:1\",\"command\":\"todo\",\"text\":\"milk\"}"
            .getBytes(StandardCharsets.UTF_8);
    String token = EventToken.sign(SECRET, "todo", "u:1", NOW, "j1");

    HttpResponse<String> ok = post("/events", body, Map.of(EventToken.HEADER, token));
    HttpResponse<String> otherUser =
        post(
            "/events",
            body,
            Map.of(EventToken.HEADER, EventToken.sign(SECRET, "todo", "u:2", NOW, "j2")));
    HttpResponse<String> missing = post("/events", body, Map.of());

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{\"text\":\"got milk\"}");
    assertThat(ok.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(otherUser.statusCode()).isEqualTo(403);
    assertThat(otherUser.body()).contains("USER_MISMATCH");
    assertThat(missing.statusCode()).isEqualTo(403);
  }

  @Test
  void aWidgetEventIsReadFromTheQuery() throws Exception {
    String event =
        "{\"name\":\"client.pressButton\",\"userId\":\"u:1\",\"button\":\"chatTabButton\"}";
    String query =
        "flockEvent="
            + URLEncoder.encode(event, StandardCharsets.UTF_8)
            + "&flockEventToken="
            + EventToken.sign(SECRET, "todo", "u:1", NOW, "j3")
            + "&flockClient=desktop&flockWidgetType=sidebar";

    HttpResponse<String> opened =
        client.send(
            HttpRequest.newBuilder(url("/widget?" + query)).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(opened.statusCode()).isEqualTo(200);
    assertThat(opened.body()).isEqualTo("{\"type\":\"sidebar\"}");
  }

  @Test
  void anUpdateActionIsVerifiedForItsExactBody() throws Exception {
    byte[] body =
        "{\"@type\":\"UpdateAction\",\"name\":\"Assign to me\"}".getBytes(StandardCharsets.UTF_8);
    String token = FlowdockToken.sign(SECRET, "42", body, NOW);
    byte[] changed =
        "{\"@type\":\"UpdateAction\",\"name\":\"Assign to you\"}".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> ok = post("/assign", body, Map.of(FlowdockToken.HEADER, token));
    HttpResponse<String> tampered = post("/assign", changed, Map.of(FlowdockToken.HEADER, token));

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{\"user\":\"42\"}");
    assertThat(tampered.statusCode()).isEqualTo(403);
    assertThat(tampered.body()).contains("BODY_DIGEST");
  }

  @Test
  void aStandardWebhooksCallIsVerifiedAndAFailingAppGets500() throws Exception {
    byte[] body = "{\"action\":\"Finish\",\"task\":{}}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = StandardWebhooks.headers("msg_1", NOW, body, SECRETS);

    HttpResponse<String> ok = post("/api-call", body, headers);
    HttpResponse<String> wrongSecret =
        post(
            "/api-call",
            body,
            StandardWebhooks.headers(
                "msg_1", NOW, body, List.of(AppSecret.of("another-secret-of-at-least-32-bytes!"))));
    HttpResponse<String> broken = post("/broken", body, headers);

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{\"task\":{\"Plan\":\"Pro\"}}");
    assertThat(wrongSecret.statusCode()).isEqualTo(403);
    assertThat(wrongSecret.body()).contains("SIGNATURE");
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.body()).isEqualTo("{\"error\":\"internal error\"}");
  }

  protected URI url(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  protected HttpResponse<String> post(String path, byte[] body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
