package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Scope;
import org.backchannel.server.web.Guard;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the router and itself: it has every route but the pages and nothing
 * else, it is served as written, each of its body schemas is named and compiles, and the check that
 * every other server test runs on its traffic ({@link OpenApiCheck}) does catch what does not fit.
 */
final class OpenApiTest extends ServerFixture {
  private static final String SCHEMAS = "#/components/schemas/";

  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  @Test
  void everyRouteButThePagesIsInTheDocumentAndNothingElse() {
    Set<String> routed =
        server.routes().stream()
            .filter(r -> !Guard.owns(r.path()))
            .map(r -> r.method() + " " + r.path())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> documented =
        OpenApiCheck.get().operations().stream()
            .map(o -> o.method() + " " + o.path())
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(routed).contains("GET /api/v1/openapi.json", "GET /metrics", "POST /v1/{method}");
    assertThat(documented).as("the document's operations").isEqualTo(routed);
  }

  /**
   * The scopes of the appToken scheme are the server's, each route an app's token may call names
   * one of them, and every route a token is taken on can answer 403 (an app's token outside its
   * scopes). Which route takes which scope is held against the server by OAuthScopesContract.
   */
  @Test
  void everyRouteAnAppsTokenReachesNamesOneDeclaredScope() {
    JsonNode scheme =
        OpenApiCheck.get()
            .document()
            .at("/components/securitySchemes/appToken/flows/authorizationCode/scopes");
    Set<String> declared = new TreeSet<>();
    scheme.properties().forEach(s -> declared.add(s.getKey()));
    assertThat(declared)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Scope.values()).map(Scope::wire).toList());

    List<String> scoped = new ArrayList<>();
    for (OpenApiCheck.Operation o : OpenApiCheck.get().operations()) {
      String what = o.method() + " " + o.path();
      boolean tokenRoute = false;
      for (JsonNode requirement : o.node().path("security")) {
        tokenRoute |= requirement.has("bearer") || requirement.has("appToken");
        if (requirement.has("appToken")) {
          JsonNode scopes = requirement.get("appToken");
          assertThat(scopes).as(what).hasSize(1);
          assertThat(declared).as(what).contains(scopes.get(0).asText());
          scoped.add(what);
        }
      }
      if (tokenRoute) {
        assertThat(o.node().path("responses").has("403")).as(what + " lists 403").isTrue();
      }
    }
    assertThat(scoped)
        .contains("GET /api/v1/me", "POST /v1/{method}", "POST /api/v1/flows/{id}/sources");
  }

  @Test
  void theDocumentIsServedAsWrittenWithoutAToken() {
    Http.Answer answer = http.get("/api/v1/openapi.json", null);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.raw().headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(answer.json()).isEqualTo(OpenApiCheck.get().document());
    assertThat(answer.json().get("openapi").asText()).isEqualTo("3.1.0");
  }

  @Test
  void everyBodyIsANamedSchemaAndEverySchemaCompiles() {
    OpenApiCheck check = OpenApiCheck.get();
    JsonNode document = check.document();
    List<String> unnamed = new ArrayList<>();
    for (OpenApiCheck.Operation o : check.operations()) {
      String what = o.method() + " " + o.path();
      named(what + " request", o.node().path("requestBody").path("content"), unnamed);
      o.node()
          .path("responses")
          .properties()
          .forEach(
              r -> {
                JsonNode response = r.getValue();
                if (response.has("$ref")) {
                  response = document.at(response.get("$ref").asText().substring(1));
                }
                named(what + " " + r.getKey(), response.path("content"), unnamed);
              });
    }
    assertThat(unnamed).as("JSON bodies whose schema is not a $ref to a named schema").isEmpty();

    List<String> dangling = new ArrayList<>();
    refs(document, document, dangling);
    assertThat(dangling).as("$refs that name nothing").isEmpty();

    document
        .path("components")
        .path("schemas")
        .properties()
        .forEach(s -> check.schema(SCHEMAS + s.getKey()));
  }

  /**
   * Answers no contract test asks for, so that the fixture's check sees them too: every route's
   * success is then checked somewhere.
   */
  @Test
  void theAnswersNoOtherTestAsksForFitToo() {
    assertThat(ok(http.get("/healthz", null)).get("status").asText()).isEqualTo("ok");
    assertThat(ok(http.get("/api/v1/workspace", memberToken)).get("name").asText())
        .isEqualTo("Acme");
    assertThat(ok(http.get("/api/v1/apps/" + appId, adminToken)).get("id").asLong())
        .isEqualTo(appId);
    assertThat(ok(http.post("/api/v1/users/" + memberId + "/token", memberToken, "")).has("token"))
        .isTrue();
    long otto = ok(http.get("/api/v1/users", adminToken)).get(2).get("id").asLong();
    String member = "/api/v1/flows/" + flowId + "/members/" + otto;
    assertThat(http.send("PUT", member, adminToken).status()).isEqualTo(204);
    assertThat(http.send("DELETE", member, adminToken).status()).isEqualTo(204);
    long endpoint =
        ok(http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\": \"" + app.url("/events") + "\"}"))
            .get("id")
            .asLong();
    JsonNode changed =
        ok(
            http.send(
                "PATCH",
                "/api/v1/endpoints/" + endpoint,
                adminToken,
                "{\"fifo\": true, \"max_in_flight\": 2, \"event_types\": [\"invoice.paid\"]}"));
    assertThat(changed.get("max_in_flight").asInt()).isEqualTo(2);
  }

  @Test
  void theCheckNamesTheRouteTheStatusAndWhatIsWrong() {
    String user =
        """
        {"id": 1, "workspace_id": 1, "name": "Ada", "email": "ada@example.com", "avatar": null,
         "role": "admin", "created_at": "2026-11-23T10:00:00Z", "deactivated_at": null}""";
    String json = "application/json";
    OpenApiCheck check = OpenApiCheck.get();

    assertThat(
            check.violations(
                List.of(
                    new Http.Exchange("GET", "/api/v1/me", null, "", 200, json, user),
                    new Http.Exchange("GET", "/ui/flows/1", null, "", 200, "text/html", "<p>"))))
        .isEmpty();
    assertThat(
            check.violations(
                List.of(
                    new Http.Exchange("GET", "/api/v1/me", null, "", 200, json, "{\"id\": 1}"))))
        .isNotEmpty()
        .allSatisfy(
            v ->
                assertThat(v)
                    .startsWith(
                        "GET /api/v1/me (/api/v1/me) -> 200: answer does not fit "
                            + SCHEMAS
                            + "User: "))
        .anySatisfy(v -> assertThat(v).contains("email"));
    assertThat(
            check.violations(
                List.of(new Http.Exchange("GET", "/api/v1/flows/3", null, "", 418, json, "{}"))))
        .containsExactly(
            "GET /api/v1/flows/3 (/api/v1/flows/{id}) -> 418:"
                + " the document lists no such status for it");
    assertThat(
            check.violations(
                List.of(new Http.Exchange("GET", "/api/v1/nope", null, "", 200, json, "{}"))))
        .containsExactly("GET /api/v1/nope -> 200: answered, but the document has no such route");
    String flow =
        "{\"id\": 2, \"workspace_id\": 1, \"name\": \"ops\", \"created_at\": \"2026-11-23T10:00:00Z\"}";
    assertThat(
            check.violations(
                List.of(
                    new Http.Exchange(
                        "POST", "/api/v1/flows", json, "{\"name\": 5}", 201, json, flow))))
        .singleElement(STRING)
        .startsWith(
            "POST /api/v1/flows (/api/v1/flows) -> 201: request does not fit "
                + SCHEMAS
                + "NewFlow: ")
        .contains("name");
  }

  private static void named(String what, JsonNode content, List<String> unnamed) {
    JsonNode schema = content.path("application/json").path("schema");
    if (content.has("application/json") && !schema.path("$ref").asText().startsWith(SCHEMAS)) {
      unnamed.add(what);
    }
  }

  private static void refs(JsonNode node, JsonNode document, List<String> dangling) {
    if (node.has("$ref") && node.get("$ref").isTextual()) {
      String ref = node.get("$ref").asText();
      if (!ref.startsWith("#/") || document.at(ref.substring(1)).isMissingNode()) {
        dangling.add(ref);
      }
    }
    node.forEach(child -> refs(child, document, dangling));
  }
}
