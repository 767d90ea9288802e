package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.StreamSupport;
import org.backchannel.core.Json;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Event;
import org.backchannel.sdk.EventToken;
import org.backchannel.sdk.Events;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An app's Flock event listener and its native endpoints are different targets: over HTTP, against
 * a real server, store and receiver, a native publish reaches only the webhook endpoint, every
 * Flock event reaches only the listener, and every request the listener gets is a Flock event with
 * a valid {@code X-Flock-Event-Token}. No route puts native events on the listener. Runs once per
 * store.
 */
abstract class ListenerTargetContract extends ServerFixture {
  static final String LISTENER = "/events";
  static final String NATIVE = "/native";

  List<AppSecret> secrets;

  @BeforeEach
  void listenerAndNativeEndpoint() {
    secrets = List.of(AppSecret.of(appSecret));
    ok(http.send("PUT", platformPath(), adminToken, registration(app.url(LISTENER).toString())));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url(NATIVE) + "\"}"));
  }

  String platformPath() {
    return "/api/v1/apps/" + appId + "/platform";
  }

  static String registration(String listener) {
    return """
        {"event_listener_url": "%s",
         "controls": [{"type": "slashCommand", "name": "todo"},
                      {"type": "chatTabButton", "name": "Todos"}]}
        """
        .formatted(listener);
  }

  String platform(String path) {
    return "/api/v1/platform/apps/" + appId + path;
  }

  int drain() {
    return server.backchannel().worker().drain();
  }

  /** The app's endpoints as the API lists them, by URL path. */
  JsonNode endpointAt(String path) {
    JsonNode all = ok(http.get("/api/v1/endpoints", adminToken));
    return StreamSupport.stream(all.spliterator(), false)
        .filter(e -> e.get("url").asText().equals(app.url(path).toString()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no endpoint at " + path + " in " + all));
  }

  List<RecordingReceiver.Recorded> at(String path) {
    return app.requests().stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Every request the listener got is a Flock event whose token the app's secret verifies. */
  List<String> listenerEventNames() {
    return at(LISTENER).stream()
        .map(
            r -> {
              String token = r.header(EventToken.HEADER);
              assertThat(token).as("X-Flock-Event-Token of " + r.bodyText()).isNotBlank();
              Event event = Events.verify(secrets, token, r.body(), clock.instant());
              assertThat(event.userId()).isEqualTo("u:" + memberId);
              return Json.read(r.bodyText()).get("name").asText();
            })
        .toList();
  }

  @Test
  void nativeEventsGoOnlyToTheWebhookEndpointAndFlockEventsOnlyToTheListener() {
    JsonNode listener = endpointAt(LISTENER);
    assertThat(listener.get("kind").asText()).isEqualTo("flock_listener");
    assertThat(listener.get("event_types").isNull()).isTrue();
    JsonNode webhook = endpointAt(NATIVE);
    assertThat(webhook.get("kind").asText()).isEqualTo("webhook");
    assertThat(webhook.get("event_types")).isEmpty(); // every native event

    ok(http.post(platform("/install"), memberToken, ""));
    JsonNode published =
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"invoice.paid\",\"data\":{\"invoice\":7}}"));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events/batch",
            adminToken,
            "{\"events\":[{\"type\":\"a.b\",\"data\":1},{\"type\":\"c.d\",\"data\":2}]}"));
    ok(http.post(platform("/bot/messages"), memberToken, "{\"text\":\"hi\"}"));
    ok(
        http.post(
            platform("/buttons/chatTabButton"), memberToken, "{\"chat\":\"g:" + flowId + "\"}"));
    ok(
        http.post(
            platform("/slash-commands"),
            memberToken,
            "{\"command\":\"todo\",\"text\":\"milk\",\"chat\":\"g:" + flowId + "\"}"));
    while (drain() > 0) {}

    assertThat(published.get("deliveries")).hasSize(1);
    assertThat(published.get("deliveries").get(0).get("endpoint_id").asLong())
        .isEqualTo(webhook.get("id").asLong());
    assertThat(listenerEventNames())
        .containsExactlyInAnyOrder(
            "app.install", "chat.receiveMessage", "client.pressButton", "client.slashCommand");
    List<RecordingReceiver.Recorded> natives = at(NATIVE);
    assertThat(natives).hasSize(3);
    for (RecordingReceiver.Recorded r : natives) {
      assertThat(r.header(EventToken.HEADER)).isNull();
      StandardWebhooks.verify(
          r::header, r.body(), secrets, clock.instant(), StandardWebhooks.DEFAULT_TOLERANCE);
    }
    assertThat(natives.stream().map(r -> Json.read(r.bodyText()).get("type").asText()))
        .containsExactlyInAnyOrder("invoice.paid", "a.b", "c.d");
    assertThat(app.requests()).hasSize(7);
  }

  @Test
  void theListenerCannotBeSubscribedToNativeEvents() {
    long listener = endpointAt(LISTENER).get("id").asLong();

    Http.Answer subscribe =
        http.send(
            "PATCH", "/api/v1/endpoints/" + listener, adminToken, "{\"event_types\":[\"a.b\"]}");
    Http.Answer all =
        http.send("PATCH", "/api/v1/endpoints/" + listener, adminToken, "{\"event_types\":[]}");
    JsonNode ordered =
        ok(http.send("PATCH", "/api/v1/endpoints/" + listener, adminToken, "{\"fifo\":true}"));
    Http.Answer asWebhook =
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url(LISTENER) + "\",\"event_types\":[\"a.b\"]}");

    assertThat(subscribe.status()).isEqualTo(400);
    assertThat(subscribe.json().get("errors").get("event_types").get(0).asText())
        .contains("flock_listener");
    assertThat(all.status()).isEqualTo(400);
    assertThat(ordered.get("fifo").asBoolean()).isTrue();
    assertThat(ordered.get("kind").asText()).isEqualTo("flock_listener");
    assertThat(ordered.get("event_types").isNull()).isTrue();
    assertThat(asWebhook.status()).isEqualTo(409);
    assertThat(asWebhook.json().get("message").asText())
        .contains("url")
        .contains("Flock event listener");

    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events", adminToken, "{\"type\":\"a.b\",\"data\":{}}"));
    while (drain() > 0) {}
    assertThat(at(LISTENER)).isEmpty();
    assertThat(at(NATIVE)).hasSize(1);
  }

  @Test
  void aWebhookEndpointCannotBecomeTheListenerAndAFormerListenerStaysOne() {
    Http.Answer taken =
        http.send("PUT", platformPath(), adminToken, registration(app.url(NATIVE).toString()));

    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().get("message").asText())
        .contains("event_listener_url")
        .contains("native events");
    assertThat(ok(http.get(platformPath(), adminToken)).get("event_listener_url").asText())
        .isEqualTo(app.url(LISTENER).toString());
    assertThat(endpointAt(NATIVE).get("kind").asText()).isEqualTo("webhook");

    // The listener moves: the new URL is a listener from the start, the old one stays one.
    ok(
        http.send(
            "PUT", platformPath(), adminToken, registration(app.url("/v2/events").toString())));
    assertThat(endpointAt("/v2/events").get("kind").asText()).isEqualTo("flock_listener");
    assertThat(endpointAt(LISTENER).get("kind").asText()).isEqualTo("flock_listener");
    assertThat(
            http.post(
                    "/api/v1/apps/" + appId + "/endpoints",
                    adminToken,
                    "{\"url\":\"" + app.url(LISTENER) + "\"}")
                .status())
        .isEqualTo(409);

    ok(http.post(platform("/install"), memberToken, ""));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events", adminToken, "{\"type\":\"a.b\",\"data\":{}}"));
    ok(http.post(platform("/bot/messages"), memberToken, "{\"text\":\"hi\"}"));
    while (drain() > 0) {}
    assertThat(at(LISTENER)).isEmpty();
    assertThat(at("/v2/events")).hasSize(2);
    for (RecordingReceiver.Recorded r : at("/v2/events")) {
      Events.verify(secrets, r.header(EventToken.HEADER), r.body(), clock.instant());
    }
    assertThat(at(NATIVE)).hasSize(1);
  }

  @Test
  void aListenerWhoseDeliveriesFailedGetsOnlyThoseAgainOnReplay() {
    ok(http.post(platform("/install"), memberToken, ""));
    app.answer(RecordingReceiver.Answer.status(410)); // the listener is gone: disabled at once
    ok(http.post(platform("/bot/messages"), memberToken, "{\"text\":\"hi\"}"));
    drain();
    JsonNode listener = endpointAt(LISTENER);
    assertThat(listener.get("state").asText()).isEqualTo("disabled");

    app.answer(RecordingReceiver.Answer.status(200));
    ok(
        http.send(
            "POST", "/api/v1/endpoints/" + listener.get("id").asLong() + "/enable", adminToken));
    JsonNode replayed =
        ok(
            http.send(
                "POST",
                "/api/v1/endpoints/" + listener.get("id").asLong() + "/replay",
                adminToken));
    while (drain() > 0) {}

    assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
    assertThat(listenerEventNames())
        .containsExactly("app.install", "chat.receiveMessage", "chat.receiveMessage");
  }
}
