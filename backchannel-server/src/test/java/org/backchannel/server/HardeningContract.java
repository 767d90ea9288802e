package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.backchannel.core.Json;
import org.junit.jupiter.api.Test;

/**
 * Requests an attacker or a careless client sends: oversize and badly framed bodies, JSON with
 * something after it, numbers that are not what they look like, keys nested too deep, strings that
 * are not Unicode. Each answers a JSON 4xx, logs at most a line and changes nothing. Runs once per
 * store.
 */
abstract class HardeningContract extends ServerFixture {
  static final int MAX_BODY = 1024 * 1024;

  // ---- size and framing

  @Test
  void anOversizeBodyIs413WithAJsonMessageOnEveryKindOfRoute() throws Exception {
    String big = "{\"text\":\"" + "x".repeat(MAX_BODY) + "\"}";
    HttpClient client = HttpClient.newHttpClient();
    try (LogCapture log = new LogCapture()) {
      for (String path : new String[] {"/v1/chat.sendMessage", "/api/v1/flows", "/messages"}) {
        // Sent as a careful client does, waiting for "100 Continue": a client that sends the body
        // regardless may have the answer cut off by the server closing on the unread rest.
        HttpResponse<String> answer =
            client.send(
                HttpRequest.newBuilder(URI.create(server.url() + path))
                    .header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json")
                    .expectContinue(true)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(big))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type").orElse(""))
            .as(path)
            .startsWith("application/json");
        assertThat(Json.read(answer.body()).get("message").asText()).as(path).isNotBlank();
      }
      assertThat(log.lines()).isLessThanOrEqualTo(3);
    }
    assertThat(flowCount()).isEqualTo(1);
  }

  @Test
  void aContentLengthBeyondTheLimitIs413FromTheHeaderAlone() {
    // The connection stays open: the answer must not wait for a body that never comes.
    refusedFraming("Content-Length: 99999999999999\r\n\r\n{\"name\":", false, 413);
  }

  @Test
  void aBodyShorterThanItsContentLengthIs400() {
    refusedFraming("Content-Length: 100\r\n\r\n{\"name\":\"short\"}", true, 400);
  }

  @Test
  void aBrokenChunkSizeIs400() {
    refusedFraming(
        "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{\"name\":\"chunked\"}\r\n0\r\n\r\n", true, 400);
  }

  /**
   * Sends {@code POST /api/v1/flows} with these framing headers and body; the answer must be a JSON
   * {@code status}, logged in a line at most, with no flow made.
   */
  private void refusedFraming(String framing, boolean halfClose, int status) {
    try (LogCapture log = new LogCapture()) {
      RawHttp.Answer answer =
          RawHttp.exchange(
              server.url(),
              ("POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + framing)
                  .getBytes(StandardCharsets.ISO_8859_1),
              halfClose);
      assertThat(answer.status()).as(answer.head() + answer.body()).isEqualTo(status);
      assertThat(answer.contentType()).startsWith("application/json");
      assertThat(Json.read(answer.body()).get("message").asText()).isNotBlank();
      assertThat(log.lines()).isLessThanOrEqualTo(1);
    }
    assertThat(flowCount()).isEqualTo(1);
  }

  // ---- JSON that is more, or other, than it looks

  @Test
  void jsonFollowedByAnythingIsRefusedAndActsOnNothing() {
    for (String body :
        new String[] {
          "{\"name\":\"x\"} garbage", "{\"name\":\"x\"}{\"name\":\"y\"}", "{\"name\":\"x\"}]"
        }) {
      Http.Answer flow = http.post("/api/v1/flows", adminToken, body);
      assertThat(flow.status()).as(body).isEqualTo(400);
      assertThat(flow.json().get("errors").has("body")).as(flow.text()).isTrue();
    }
    assertThat(http.post("/messages", null, activity("t-9") + " x").status()).isEqualTo(400);
    assertThat(http.post("/api/v1/apps", adminToken, "{\"name\":\"A\"} {}").status())
        .isEqualTo(400);
    Http.Answer method =
        http.post(
            "/v1/chat.sendMessage", null, "{\"token\":\"x\",\"to\":\"g:1\",\"text\":\"x\"} 1");
    assertThat(method.status()).isEqualTo(400);
    assertThat(method.json().get("error").asText()).isEqualTo("InvalidParameter");
    assertThat(flowCount()).isEqualTo(1);
    assertThat(ok(http.get("/api/v1/apps", adminToken))).hasSize(1);
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/threads", memberToken)).get("items"))
        .isEmpty();
  }

  @Test
  void aFractionIsNotAnId() {
    Http.Answer answer =
        http.post("/api/v1/flows", adminToken, "{\"name\":\"f\",\"members\":[" + memberId + ".5]}");
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("errors").has("members")).as(answer.text()).isTrue();
    assertThat(flowCount()).isEqualTo(1);
  }

  @Test
  void aNumberBeyondWhatADoubleHoldsIsRefused() {
    Http.Answer literal =
        http.post(
            "/api/v1/apps/" + appId + "/events",
            adminToken,
            "{\"type\":\"t\",\"data\":{\"n\":1e999}}");
    assertThat(literal.status()).isEqualTo(400);
    assertThat(literal.json().get("errors").has("data.n")).as(literal.text()).isTrue();

    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                "{\"name\":\"W\",\"app_id\":%d,\"fields\":[{\"name\":\"N\",\"type\":\"number\"}],\"stages\":[{\"name\":\"A\"}],\"actions\":[]}"
                    .formatted(appId)))
            .get("id")
            .asLong();
    String tasks = "/api/v1/workflows/" + workflow + "/tasks";
    for (String value :
        new String[] {"\"1e999\"", "\"-1e999\"", "\"Infinity\"", "\"NaN\"", "1e999"}) {
      Http.Answer answer = http.post(tasks, memberToken, "{\"fields\":{\"N\":" + value + "}}");
      assertThat(answer.status()).as(value + ": " + answer.text()).isBetween(400, 422);
      assertThat(answer.json().get("errors")).as(answer.text()).isNotNull();
    }
    assertThat(ok(http.get(tasks, memberToken)).get("items")).isEmpty();
  }

  @Test
  void aLoneSurrogateIsRefusedNotStoredAsAQuestionMark() {
    Http.Answer answer = http.post("/api/v1/flows", adminToken, "{\"name\":\"x\\ud800y\"}");
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("errors").has("name")).as(answer.text()).isTrue();
    Http.Answer key = http.post("/api/v1/flows", adminToken, "{\"name\":\"x\",\"\\udc00\":1}");
    assertThat(key.status()).isEqualTo(400);
    Http.Answer pair = http.post("/api/v1/flows", adminToken, "{\"name\":\"x\\ud83d\\ude00y\"}");
    assertThat(pair.status()).as("a proper pair is fine").isEqualTo(201);
    assertThat(flowCount()).isEqualTo(2);
  }

  @Test
  void formKeysNestedTooDeepAre400NamingTheField() {
    for (int depth : new int[] {1_000, 20_000}) {
      String form =
          "flow_token="
              + flowToken
              + "&event=activity&thread[actions][][x]"
              + "[a]".repeat(depth)
              + "=1";
      try (LogCapture log = new LogCapture()) {
        Http.Answer answer = http.postForm("/messages", form);
        assertThat(answer.status()).as(answer.text()).isEqualTo(400);
        assertThat(answer.json().get("errors").fieldNames().next()).startsWith("thread[actions]");
        assertThat(answer.text().length()).isLessThan(1000);
        assertThat(log.lines()).isZero();
      }
    }
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/threads", memberToken)).get("items"))
        .isEmpty();
  }

  // ---- every error is JSON

  @Test
  void anUnknownRouteIsAJson404WhateverTheAcceptHeader() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (String accept :
        new String[] {"application/json", "text/html", "*/*", "text/plain", "x/y;;"}) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/nope"))
                  .header("Accept", accept)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
      assertThat(Json.read(r.body()).get("message").asText())
          .as(accept)
          .isEqualTo("no such route: GET /api/v1/nope");
    }
  }

  // ---- endpoints subscribe to names publishing accepts

  @Test
  void endpointEventTypesFollowTheRuleForPublishing() {
    String endpoints = "/api/v1/apps/" + appId + "/endpoints";
    for (String types :
        new String[] {"[\"<script>\"]", "[\"a b\"]", "[\"" + "x".repeat(101) + "\"]", "[\"\"]"}) {
      Http.Answer created =
          http.post(
              endpoints,
              adminToken,
              "{\"url\":\"" + app.url("/e") + "\",\"event_types\":" + types + "}");
      assertThat(created.status()).as(types).isEqualTo(400);
      assertThat(created.json().get("errors").has("event_types")).isTrue();
    }
    assertThat(ok(http.get("/api/v1/endpoints", adminToken))).isEmpty();
    JsonNode endpoint =
        ok(
            http.post(
                endpoints,
                adminToken,
                "{\"url\":\""
                    + app.url("/e")
                    + "\",\"event_types\":[\"issue.opened\",\"a:b-c_d\"]}"));
    Http.Answer patched =
        http.send(
            "PATCH",
            "/api/v1/endpoints/" + endpoint.get("id").asLong(),
            adminToken,
            "{\"event_types\":[\"ok\",\"not ok\"]}");
    assertThat(patched.status()).isEqualTo(400);
    assertThat(patched.json().get("errors").has("event_types")).isTrue();
    assertThat(
            ok(http.get("/api/v1/endpoints/" + endpoint.get("id").asLong(), adminToken))
                .get("event_types"))
        .hasSize(2);
  }

  // ---- answers as the docs give them

  @Test
  void uninstallingAnAppThatIsNotInstalledIs404() {
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            "{\"event_listener_url\":\"" + app.url("/events") + "\"}"));
    Http.Answer answer =
        http.send("DELETE", "/api/v1/platform/apps/" + appId + "/install", memberToken);
    assertThat(answer.status()).as(answer.text()).isEqualTo(404);
  }

  @Test
  void aWorkflowNamingAnotherWorkspacesAppIs404() {
    String other =
        server.backchannel().directory().bootstrap("Other", "Olga", "olga@example.com").secret();
    Http.Answer answer =
        http.post(
            "/api/v1/workflows",
            other,
            "{\"name\":\"W\",\"app_id\":%d,\"fields\":[],\"stages\":[{\"name\":\"A\"}],\"actions\":[]}"
                .formatted(appId));
    assertThat(answer.status()).as(answer.text()).isEqualTo(404);
    assertThat(answer.json().get("message").asText()).isNotBlank();
  }

  private int flowCount() {
    return ok(http.get("/api/v1/flows", adminToken)).size();
  }
}
