package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.backchannel.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets a 4xx naming the field and the reason and changes nothing; every route checks who
 * is asking. Runs once per store.
 */
abstract class ValidationContract extends ServerFixture {

  static Stream<Arguments> invalidPosts() {
    return Stream.of(
        bad("no event", b -> b.remove("event"), "event"),
        bad("unknown event", b -> b.put("event", "tweet"), "event"),
        bad("activity without author", b -> b.remove("author"), "author"),
        bad(
            "author without name",
            b -> ((ObjectNode) b.get("author")).remove("name"),
            "author.name"),
        bad(
            "author name not a string",
            b -> ((ObjectNode) b.get("author")).put("name", 7),
            "author.name"),
        bad("no title", b -> b.remove("title"), "title"),
        bad("title too long", b -> b.put("title", "x".repeat(300)), "title"),
        bad("no external_thread_id", b -> b.remove("external_thread_id"), "external_thread_id"),
        bad("new thread without thread", b -> b.remove("thread"), "thread"),
        bad("thread not an object", b -> b.put("thread", "x"), "thread"),
        bad("new thread without title", b -> thread(b).remove("title"), "thread.title"),
        bad(
            "unknown status colour",
            b -> ((ObjectNode) thread(b).get("status")).put("color", "pink"),
            "thread.status.color"),
        bad(
            "status without value",
            b -> ((ObjectNode) thread(b).get("status")).remove("value"),
            "thread.status.value"),
        bad(
            "external_url not http",
            b -> thread(b).put("external_url", "ftp://x/y"),
            "thread.external_url"),
        bad(
            "field without label",
            b -> ((ObjectNode) thread(b).get("fields").get(0)).remove("label"),
            "thread.fields[0].label"),
        bad(
            "unknown action type",
            b -> action(b, 0).put("@type", "DeleteAction"),
            "thread.actions[0].@type"),
        bad(
            "UpdateAction without target",
            b -> action(b, 0).remove("target"),
            "thread.actions[0].target"),
        bad(
            "urlTemplate not a URL",
            b -> target(b).put("urlTemplate", "not a url"),
            "thread.actions[0].target.urlTemplate"),
        bad(
            "unknown httpMethod",
            b -> target(b).put("httpMethod", "FETCH"),
            "thread.actions[0].target.httpMethod"),
        bad(
            "target not an EntryPoint",
            b -> target(b).put("@type", "Place"),
            "thread.actions[0].target.@type"),
        bad("ViewAction without url", b -> action(b, 1).remove("url"), "thread.actions[1].url"),
        bad("action without name", b -> action(b, 1).remove("name"), "thread.actions[1].name"),
        bad("actions not an array", b -> thread(b).put("actions", "x"), "thread.actions"),
        bad("message without content", b -> b.put("event", "message"), "content"));
  }

  private static Arguments bad(String name, Consumer<ObjectNode> change, String field) {
    return Arguments.of(name, change, field);
  }

  private static ObjectNode thread(ObjectNode body) {
    return (ObjectNode) body.get("thread");
  }

  private static ObjectNode action(ObjectNode body, int i) {
    return (ObjectNode) ((ArrayNode) thread(body).get("actions")).get(i);
  }

  private static ObjectNode target(ObjectNode body) {
    return (ObjectNode) action(body, 0).get("target");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPosts")
  void anInvalidPostIsRefusedNamingTheFieldAndStoresNothing(
      String name, Consumer<ObjectNode> change, String field) {
    ObjectNode body = (ObjectNode) Json.read(activity("t-1"));
    change.accept(body);

    Http.Answer answer = http.post("/messages", null, Json.write(body));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("message").asText()).isEqualTo("Validation error");
    assertThat(answer.json().get("errors").has(field)).as(answer.text()).isTrue();
    assertThat(answer.json().get("errors").get(field).get(0).asText()).isNotBlank();
    assertNothingPosted();
  }

  @Test
  void aBodyThatIsNotJsonIsRefused() {
    Http.Answer answer = http.post("/messages", null, "{not json");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("errors").has("body")).isTrue();
  }

  @Test
  void aMissingWrongOrRevokedFlowTokenIs401() {
    ObjectNode body = (ObjectNode) Json.read(activity("t-1"));
    body.remove("flow_token");
    assertThat(http.post("/messages", null, Json.write(body)).status()).isEqualTo(401);
    body.put("flow_token", "0".repeat(32));
    assertThat(http.post("/messages", null, Json.write(body)).status()).isEqualTo(401);

    long source = ok(http.get("/api/v1/sources", adminToken)).get(0).get("id").asLong();
    assertThat(http.send("DELETE", "/api/v1/sources/" + source, adminToken).status())
        .isEqualTo(200);
    assertThat(http.post("/messages", null, activity("t-1")).status()).isEqualTo(401);
    assertNothingPosted();
  }

  @Test
  void theApiNeedsAValidToken() {
    assertThat(http.get("/api/v1/me", null).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me", "bcu_nope").status()).isEqualTo(401);
    assertThat(ok(http.get("/api/v1/me", memberToken)).get("id").asLong()).isEqualTo(memberId);
  }

  @Test
  void onlyAdminsManageTheWorkspace() {
    assertThat(http.post("/api/v1/apps", memberToken, "{\"name\":\"x\"}").status()).isEqualTo(403);
    assertThat(
            http.post("/api/v1/users", memberToken, "{\"name\":\"x\",\"email\":\"x@y.z\"}")
                .status())
        .isEqualTo(403);
    assertThat(http.post("/api/v1/flows", memberToken, "{\"name\":\"x\"}").status()).isEqualTo(403);
    assertThat(http.get("/api/v1/deliveries", memberToken).status()).isEqualTo(403);
    assertThat(
            http.post(
                    "/api/v1/sources",
                    memberToken,
                    "{\"app_id\":" + appId + ",\"flow_id\":" + flowId + "}")
                .status())
        .isEqualTo(403);
  }

  @Test
  void anotherWorkspacesAdminSeesNothingOfThisOne() {
    String other =
        server.backchannel().directory().bootstrap("Other", "Olga", "olga@example.com").secret();

    assertThat(http.get("/api/v1/apps/" + appId, other).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/flows/" + flowId, other).status()).isEqualTo(404);
    assertThat(
            http.post(
                    "/api/v1/sources",
                    other,
                    "{\"app_id\":" + appId + ",\"flow_id\":" + flowId + "}")
                .status())
        .isEqualTo(404);
    assertThat(http.send("PUT", "/api/v1/flows/" + flowId + "/members/" + memberId, other).status())
        .isEqualTo(404);
  }

  @Test
  void badPathsQueriesAndBodiesAre400NamingTheField() {
    Http.Answer badId = http.get("/api/v1/threads/abc", memberToken);
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.json().get("errors").has("id")).isTrue();

    Http.Answer badLimit = http.get("/api/v1/flows/" + flowId + "/messages?limit=0", memberToken);
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().get("errors").has("limit")).isTrue();

    Http.Answer badState = http.get("/api/v1/deliveries?state=lost", adminToken);
    assertThat(badState.status()).isEqualTo(400);
    assertThat(badState.json().get("errors").has("state")).isTrue();

    Http.Answer badEmail =
        http.post("/api/v1/users", adminToken, "{\"name\":\"x\",\"email\":\"nope\"}");
    assertThat(badEmail.status()).isEqualTo(400);
    assertThat(badEmail.json().get("errors").has("email")).isTrue();

    Http.Answer taken =
        http.post("/api/v1/users", adminToken, "{\"name\":\"x\",\"email\":\"MIA@example.com\"}");
    assertThat(taken.status()).isEqualTo(400);
    assertThat(taken.json().get("errors").get("email").get(0).asText()).contains("taken");

    Http.Answer badSource = http.post("/api/v1/sources", adminToken, "{\"app_id\":\"x\"}");
    assertThat(badSource.status()).isEqualTo(400);
    assertThat(badSource.json().get("errors").has("app_id")).isTrue();
    assertThat(badSource.json().get("errors").has("flow_id")).isTrue();

    Http.Answer notJson = http.post("/api/v1/flows", adminToken, "[1,2]");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().get("errors").has("body")).isTrue();
  }

  @Test
  void unknownThingsAre404WithAJsonMessage() {
    assertThat(http.get("/api/v1/threads/999999", memberToken).status()).isEqualTo(404);
    Http.Answer route = http.get("/api/v1/nothing-here", memberToken);
    assertThat(route.status()).isEqualTo(404);
    assertThat(route.json().get("message").asText()).isNotBlank();

    long thread = ok(http.post("/messages", null, activity("t-2"))).get("thread_id").asLong();
    assertThat(http.post("/api/v1/threads/" + thread + "/actions/7", memberToken, "").status())
        .isEqualTo(404);
    assertThat(app.requests()).isEmpty();
  }

  private void assertNothingPosted() {
    JsonNode messages = ok(http.get("/api/v1/flows/" + flowId + "/messages", memberToken));
    assertThat(messages.get("items")).isEmpty();
    JsonNode threads = ok(http.get("/api/v1/flows/" + flowId + "/threads", memberToken));
    assertThat(threads.get("items")).isEmpty();
  }
}
