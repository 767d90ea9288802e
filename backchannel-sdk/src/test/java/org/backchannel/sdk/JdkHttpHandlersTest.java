package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdkHttpHandlersTest {
  private static final AppSecret SECRET = AppSecret.of("jdk-handlers-secret-0123456789abcdef");
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicReference<Object> received = new AtomicReference<>();
  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/events",
        JdkHttpHandlers.events(
            List.of(SECRET),
            CLOCK,
            event -> {
              received.set(event);
              return event instanceof Event.ClientSlashCommand c
                  ? Answers.slashCommand("added " + c.text())
                  : Answers.ok();
            }));
    server.createContext(
        "/widget",
        JdkHttpHandlers.widget(
            List.of(SECRET),
            CLOCK,
            opened -> {
              received.set(opened);
              return Answers.json(200, java.util.Map.of("user", opened.event().userId()));
            }));
    server.createContext(
        "/assign",
        JdkHttpHandlers.updateActions(
            List.of(SECRET),
            CLOCK,
            call -> {
              received.set(call);
              return Answers.authenticationChallenge("https://app.example/auth", "c1");
            }));
    server.createContext(
        "/broken",
        JdkHttpHandlers.events(
            List.of(SECRET),
            CLOCK,
            event -> {
              throw new IllegalStateException("database password is hunter2");
            }));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpResponse<String> post(String path, String header, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header(header, token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersAVerifiedEvent() throws Exception {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");
    String body =
        "{\"name\":\"client.slashCommand\",\"userId\":\"u:1\",\"command\":\"todo\",\"text\":\"milk\"}";

    HttpResponse<String> response = post("/events", EventToken.HEADER, token, body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo("{\"text\":\"added milk\"}");
    assertThat(received.get()).isInstanceOf(Event.ClientSlashCommand.class);
  }

  @Test
  void refusesAnEventOfAnotherUserWithoutCallingTheApp() throws Exception {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");

    HttpResponse<String> response =
        post("/events", EventToken.HEADER, token, "{\"name\":\"app.install\",\"userId\":\"u:2\"}");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"check\":\"USER_MISMATCH\"");
    assertThat(received.get()).isNull();
  }

  @Test
  void refusesAnEventWithoutToken() throws Exception {
    HttpResponse<String> response =
        post("/events", EventToken.HEADER, null, "{\"name\":\"app.install\",\"userId\":\"u:1\"}");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"check\":\"MISSING\"");
  }

  @Test
  void eventsArePostOnly() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/events")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void refusesABodyOverTheLimit() throws Exception {
    HttpResponse<String> response =
        post("/events", EventToken.HEADER, "t", "x".repeat(JdkHttpHandlers.MAX_BODY_BYTES + 1));
    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void hidesTheAppsFailure() throws Exception {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");
    HttpResponse<String> response =
        post("/broken", EventToken.HEADER, token, "{\"name\":\"app.install\",\"userId\":\"u:1\"}");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).doesNotContain("hunter2");
  }

  @Test
  void passesAVerifiedUpdateActionAndWritesTheChallenge() throws Exception {
    String body = "{\"@type\":\"UpdateAction\",\"name\":\"Assign to me\"}";
    String token = FlowdockToken.sign(SECRET, "u:42", body.getBytes(StandardCharsets.UTF_8), NOW);

    HttpResponse<String> response = post("/assign", FlowdockToken.HEADER, token, body);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate"))
        .hasValue("Flowdock-Token url=https://app.example/auth?claim=c1");
    assertThat(response.body()).isEqualTo("{\"error\":\"Authentication required\"}");
    assertThat(received.get())
        .isInstanceOfSatisfying(
            UpdateActions.Verified.class, call -> assertThat(call.userId()).isEqualTo("u:42"));
  }

  @Test
  void refusesAnUpdateActionWhoseBodyChanged() throws Exception {
    String body = "{\"@type\":\"UpdateAction\",\"name\":\"Assign to me\"}";
    String token = FlowdockToken.sign(SECRET, "u:42", body.getBytes(StandardCharsets.UTF_8), NOW);

    HttpResponse<String> response =
        post("/assign", FlowdockToken.HEADER, token, body.replace("me", "us"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"check\":\"BODY_DIGEST\"");
    assertThat(received.get()).isNull();
  }

  @Test
  void readsAWidgetEventFromTheQuery() throws Exception {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");
    String event = "{\"name\":\"client.pressButton\",\"userId\":\"u:1\",\"button\":\"b\"}";
    URI uri =
        URI.create(
            base
                + "/widget?flockEvent="
                + URLEncoder.encode(event, StandardCharsets.UTF_8)
                + "&flockEventToken="
                + token
                + "&flockClient=android&flockWidgetType=sidebar");

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"user\":\"u:1\"}");
    assertThat(received.get())
        .isEqualTo(
            new Events.WidgetEvent(
                new Event.ClientPressButton("u:1", null, null, null, "b", null, null, event),
                "android",
                "sidebar"));
  }
}
