package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.backchannel.core.workspace.Scope.CHAT_WRITE;
import static org.backchannel.core.workspace.Scope.FLOW_POST;
import static org.backchannel.core.workspace.Scope.FLOW_READ;
import static org.backchannel.core.workspace.Scope.USER_READ;
import static org.backchannel.core.workspace.Scope.WORKFLOWS_TASKS;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.workspace.Scope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Apps acting for people with OAuth access tokens: every route takes the scope the document names
 * (or a personal token only), a flow-scoped grant reaches its one flow, a grant never does more
 * than its person may and stops the moment they are deactivated, leave the flow or revoke it, and
 * an app with flow:post makes, lists and deletes its own sources. Tokens are written to the store
 * as the token endpoint leaves them. Runs once per store.
 */
abstract class OAuthScopesContract extends ServerFixture {
  private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");
  private static final String PERSONAL_ONLY = "takes a personal API token";

  long workspaceId;
  long adminId;

  @BeforeEach
  void ids() {
    JsonNode admin = ok(http.get("/api/v1/me", adminToken));
    workspaceId = admin.get("workspace_id").asLong();
    adminId = admin.get("id").asLong();
  }

  AppTokens grant(long userId, Long flow, Scope... scopes) {
    Set<Scope> set = EnumSet.noneOf(Scope.class);
    set.addAll(List.of(scopes));
    return AppTokens.issue(store, clock.instant(), workspaceId, appId, userId, flow, set);
  }

  /** The member's token for the fixture's flow. */
  String token(Scope... scopes) {
    return grant(memberId, flowId, scopes).token();
  }

  static void refusedFor(Http.Answer answer, Scope needed) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(403);
    assertThat(answer.json().at("/errors/scope/0").asText()).isEqualTo("requires " + needed.wire());
    assertThat(answer.json().get("message").asText()).contains(needed.wire());
  }

  static void personalOnly(Http.Answer answer) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(403);
    assertThat(answer.json().get("message").asText()).contains(PERSONAL_ONLY);
    assertThat(answer.json().has("errors")).isFalse();
  }

  // ---- the route table

  /**
   * Every bearer route of the document, called by an app whose token has no scope at all, answers
   * 403 naming the scope the document gives it, or saying that it takes a personal token; with
   * every scope, none of them refuses for want of one.
   */
  @Test
  void everyRouteTakesTheScopeTheDocumentNamesOrAPersonalTokenOnly() {
    String none = token();
    String all = token(Scope.values());
    List<String> checked = new ArrayList<>();
    for (OpenApiCheck.Operation o : OpenApiCheck.get().operations()) {
      JsonNode security = o.node().path("security");
      String scope = null;
      boolean bearer = false;
      for (JsonNode requirement : security) {
        bearer |= requirement.has("bearer");
        if (requirement.has("appToken")) {
          scope = requirement.get("appToken").get(0).asText();
        }
      }
      if (!o.path().startsWith("/api/") || (!bearer && scope == null)) {
        continue;
      }
      String path = concrete(o.path());
      String what = o.method() + " " + o.path();
      Http.Answer refused = http.send(o.method(), path, none);
      assertThat(refused.status()).as(what + ": " + refused.text()).isEqualTo(403);
      if (scope == null) {
        assertThat(refused.json().get("message").asText()).as(what).contains(PERSONAL_ONLY);
      } else {
        assertThat(refused.json().at("/errors/scope/0").asText())
            .as(what)
            .isEqualTo("requires " + scope);
        Http.Answer allowed = http.send(o.method(), path, all);
        assertThat(allowed.text()).as(what).doesNotContain("requires ", PERSONAL_ONLY);
      }
      checked.add(what);
    }
    assertThat(checked).hasSizeGreaterThan(60).contains("GET /api/v1/me", "GET /api/v1/users");
  }

  private String concrete(String template) {
    Matcher m = PARAM.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "id" -> template.startsWith("/api/v1/flows/") ? Long.toString(flowId) : "1";
            case "user" -> Long.toString(memberId);
            case "source" -> "999999";
            default -> "1";
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  @Test
  void eachScopeAllowsItsRoutesAndNamesTheOneMissingOnOthers() {
    String userRead = token(USER_READ);
    JsonNode me = ok(http.get("/api/v1/me", userRead));
    assertThat(me.get("id").asLong()).isEqualTo(memberId);
    assertThat(me.get("email").asText()).isEqualTo("mia@example.com");
    refusedFor(http.get("/api/v1/flows", userRead), FLOW_READ);
    refusedFor(http.get("/api/v1/workflows", userRead), WORKFLOWS_TASKS);

    String flowRead = token(FLOW_READ);
    long thread = postActivity();
    assertThat(ok(http.get("/api/v1/threads/" + thread, flowRead)).get("id").asLong())
        .isEqualTo(thread);
    assertThat(ok(http.get("/api/v1/threads/" + thread + "/messages", flowRead)).get("items"))
        .hasSize(1);
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/members", flowRead))).hasSize(2);
    refusedFor(http.get("/api/v1/me", flowRead), USER_READ);
    refusedFor(http.post("/api/v1/threads/" + thread + "/actions/0", flowRead, ""), CHAT_WRITE);
    refusedFor(http.get("/api/v1/flows/" + flowId + "/sources", flowRead), FLOW_POST);
    assertThat(app.requests()).as("nothing pressed").isEmpty();

    // Routes no scope covers: people, apps, sources, endpoints, deliveries, the workspace.
    String every = token(Scope.values());
    personalOnly(http.get("/api/v1/users", every));
    personalOnly(http.get("/api/v1/workspace", every));
    personalOnly(http.post("/api/v1/users/" + memberId + "/token", every, ""));
    personalOnly(http.post("/api/v1/apps", every, "{\"name\": \"Mine\"}"));
    personalOnly(http.get("/api/v1/deliveries", every));
    personalOnly(http.post("/api/v1/platform/apps/" + appId + "/install", every, ""));

    // The person's own token goes on passing everywhere it did.
    assertThat(ok(http.get("/api/v1/workspace", memberToken)).get("name").asText())
        .isEqualTo("Acme");
    assertThat(ok(http.get("/api/v1/me", memberToken)).get("id").asLong()).isEqualTo(memberId);
  }

  @Test
  void workflowsTasksReadsAndUpdatesTasksAndRunsActionsButDefinesNothing() throws Exception {
    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                """
                {"name": "Deals", "app_id": %d,
                 "fields": [{"name": "Company Name", "type": "text", "required": true}],
                 "stages": [{"name": "Lead"}, {"name": "Won", "end": true}],
                 "actions": [{"name": "Win", "stages": ["Lead"],
                              "steps": [{"type": "move_to_stage", "stage": "Won"}]}]}
                """
                    .formatted(appId)))
            .get("id")
            .asLong();
    String tasks = grant(memberId, null, WORKFLOWS_TASKS).token();
    String path = "/api/v1/workflows/" + workflow;

    assertThat(ok(http.get("/api/v1/workflows", tasks))).hasSize(1);
    assertThat(ok(http.get(path, tasks)).get("name").asText()).isEqualTo("Deals");
    assertThat(ok(http.get(path + "/versions", tasks))).hasSize(1);
    long task =
        ok(http.post(path + "/tasks", tasks, "{\"fields\": {\"Company Name\": \"Acme\"}}"))
            .get("id")
            .asLong();
    JsonNode renamed =
        ok(
            http.send(
                "PATCH",
                path + "/tasks/" + task,
                tasks,
                "{\"fields\": {\"Company Name\": \"Acme Corp\"}}"));
    assertThat(renamed.at("/fields/Company Name").asText()).isEqualTo("Acme Corp");
    assertThat(ok(http.get(path + "/tasks/" + task + "/actions", tasks))).hasSize(1);
    long execution =
        ok(http.post(path + "/executions", tasks, "{\"task_id\": " + task + ", \"action_id\": 1}"))
            .get("id")
            .asLong();
    server.backchannel().workflows().completion(execution).get(10, TimeUnit.SECONDS);
    JsonNode ran = ok(http.get("/api/v1/executions/" + execution, tasks));
    assertThat(ran.get("status").asText()).isEqualTo("Succeeded");
    assertThat(ran.get("performed_by").asLong()).isEqualTo(memberId);
    assertThat(ok(http.get(path + "/tasks/" + task, tasks)).get("stage").asText()).isEqualTo("Won");

    personalOnly(http.send("PUT", path, tasks, "{\"name\": \"Mine\"}"));
    personalOnly(http.post("/api/v1/workflows", tasks, "{\"name\": \"Mine\"}"));
    refusedFor(http.get("/api/v1/flows", tasks), FLOW_READ);
  }

  // ---- the grant's flow

  @Test
  void aFlowScopedTokenSeesOnlyItsFlow() {
    long ops =
        ok(http.post(
                "/api/v1/flows", adminToken, "{\"name\":\"ops\",\"members\":[" + memberId + "]}"))
            .get("id")
            .asLong();
    String opsToken =
        ok(http.post(
                "/api/v1/sources",
                adminToken,
                "{\"app_id\":" + appId + ",\"flow_id\":" + ops + "}"))
            .get("flow_token")
            .asText();
    long here = postActivity();
    long there =
        ok(http.post(
                "/messages",
                null,
                "{\"flow_token\":\"%s\",\"event\":\"activity\",\"title\":\"Deployed\",\"author\":{\"name\":\"ci\"},\"external_thread_id\":\"deploy:1\",\"thread\":{\"title\":\"Deploy 1\"}}"
                    .formatted(opsToken)))
            .get("thread_id")
            .asLong();
    long chatThere =
        ok(http.post(
                "/api/v1/platform/flows/" + ops + "/messages", memberToken, "{\"text\":\"hi\"}"))
            .get("id")
            .asLong();
    long chatHere =
        ok(http.post(
                "/api/v1/platform/flows/" + flowId + "/messages",
                memberToken,
                "{\"text\":\"hello\"}"))
            .get("id")
            .asLong();
    String read = token(FLOW_READ, CHAT_WRITE);

    JsonNode flows = ok(http.get("/api/v1/flows", read));
    assertThat(flows).hasSize(1);
    assertThat(flows.get(0).get("id").asLong()).isEqualTo(flowId);
    assertThat(ok(http.get("/api/v1/flows", memberToken))).as("the person sees both").hasSize(2);
    for (String elsewhere :
        List.of(
            "/api/v1/flows/" + ops,
            "/api/v1/flows/" + ops + "/members",
            "/api/v1/flows/" + ops + "/threads",
            "/api/v1/flows/" + ops + "/messages",
            "/api/v1/threads/" + there,
            "/api/v1/threads/" + there + "/messages",
            "/api/v1/platform/flows/" + ops + "/messages",
            "/api/v1/platform/messages/" + chatThere)) {
      assertThat(http.get(elsewhere, read).status()).as(elsewhere).isEqualTo(404);
      assertThat(http.get(elsewhere, memberToken).status()).as(elsewhere).isEqualTo(200);
    }
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/threads", read)).get("items")).hasSize(1);
    assertThat(ok(http.get("/api/v1/threads/" + here, read)).get("flow_id").asLong())
        .isEqualTo(flowId);
    assertThat(ok(http.get("/api/v1/platform/messages/" + chatHere, read)).get("text").asText())
        .isEqualTo("hello");
    assertThat(ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", read)).get("items"))
        .hasSize(1);

    // Acting there is as out of reach as reading it, and so are direct chats.
    Http.Answer post =
        http.post("/api/v1/platform/flows/" + ops + "/messages", read, "{\"text\":\"x\"}");
    assertThat(post.status()).isEqualTo(404);
    assertThat(http.post("/api/v1/threads/" + there + "/actions/0", read, "").status())
        .isEqualTo(404);
    Http.Answer direct =
        http.post("/v1/chat.sendMessage", read, "{\"to\":\"u:" + adminId + "\",\"text\":\"x\"}");
    assertThat(direct.status()).isEqualTo(404);
    assertThat(direct.json().get("error").asText()).isEqualTo("NotFound");
    assertThat(app.requests()).isEmpty();
  }

  @Test
  void anAdminsTokenInAnAppsHandsIsNoAdmin() {
    String admins = grant(adminId, flowId, Scope.values()).token();
    long other =
        ok(http.post("/api/v1/flows", adminToken, "{\"name\":\"board\"}")).get("id").asLong();

    personalOnly(http.get("/api/v1/users", admins));
    personalOnly(http.post("/api/v1/flows", admins, "{\"name\":\"mine\"}"));
    personalOnly(http.send("PUT", "/api/v1/flows/" + flowId + "/members/" + adminId, admins));
    personalOnly(http.post("/api/v1/users/" + memberId + "/deactivate", admins, ""));
    personalOnly(http.get("/api/v1/sources", admins));
    personalOnly(http.post("/api/v1/apps/" + appId + "/secret", admins, ""));
    personalOnly(http.send("PATCH", "/api/v1/workspace", admins, "{\"retention\":\"1d\"}"));
    // The admin sees every flow; their app only the grant's.
    assertThat(ok(http.get("/api/v1/flows", adminToken))).hasSize(2);
    assertThat(ok(http.get("/api/v1/flows", admins))).hasSize(1);
    assertThat(http.get("/api/v1/flows/" + other + "/members", admins).status()).isEqualTo(404);
    assertThat(ok(http.get("/api/v1/me", admins)).get("role").asText()).isEqualTo("admin");
    assertThat(ok(http.get("/api/v1/me", memberToken)).get("deactivated_at").isNull()).isTrue();
  }

  // ---- the grant stops with its person

  @Test
  void deactivatingThePersonStopsTheirTokensAndSourcesAtOnce() {
    AppTokens g = grant(memberId, flowId, FLOW_POST, USER_READ);
    String source = createSource(g.token(), "CI").get("flow_token").asText();
    ok(http.post("/messages", null, message(source, "before")));
    clock.advance(Duration.ofMinutes(1));

    ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));

    Http.Answer me = http.get("/api/v1/me", g.token());
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.text()).isEqualTo(http.get("/api/v1/me", "bca_unknown").text());
    assertThat(http.get("/api/v1/flows/" + flowId + "/sources", g.token()).status()).isEqualTo(401);
    assertThat(http.post("/messages", null, message(source, "after")).status()).isEqualTo(401);
    assertThat(http.post("/messages", null, message(flowToken, "admin's")).status())
        .as("a source an admin made goes on")
        .isEqualTo(201);

    // The grant ended with them: coming back does not bring it back.
    ok(http.post("/api/v1/users/" + memberId + "/reactivate", adminToken, ""));
    assertThat(http.get("/api/v1/me", g.token()).status()).isEqualTo(401);
    assertThat(http.post("/messages", null, message(source, "back")).status()).isEqualTo(401);
    JsonNode ended = ok(http.get("/api/v1/grants/events", adminToken)).get(0);
    assertThat(ended.get("action").asText()).isEqualTo("revoked");
    assertThat(ended.get("detail").asText()).isEqualTo("person deactivated");
    assertThat(ended.get("actor_id").asLong()).isEqualTo(adminId);
  }

  @Test
  void leavingTheFlowStopsTheTokenAndTheSourcesMadeUnderIt() {
    AppTokens g = grant(memberId, flowId, FLOW_POST, FLOW_READ);
    String source = createSource(g.token(), "CI").get("flow_token").asText();
    ok(http.post("/messages", null, message(source, "before")));

    assertThat(
            http.send("DELETE", "/api/v1/flows/" + flowId + "/members/" + memberId, adminToken)
                .status())
        .isEqualTo(204);

    assertThat(http.get("/api/v1/flows/" + flowId, g.token()).status()).isEqualTo(401);
    assertThat(http.post("/messages", null, message(source, "after")).status()).isEqualTo(401);

    // Added back, they would authorise the app again: the old grant stays ended.
    assertThat(
            http.send("PUT", "/api/v1/flows/" + flowId + "/members/" + memberId, adminToken)
                .status())
        .isEqualTo(204);
    assertThat(http.get("/api/v1/flows/" + flowId, g.token()).status()).isEqualTo(401);
    assertThat(http.post("/messages", null, message(source, "back")).status()).isEqualTo(401);
    JsonNode ended = ok(http.get("/api/v1/grants/events", adminToken)).get(0);
    assertThat(ended.get("detail").asText()).isEqualTo("person left the flow");
  }

  @Test
  void revokingTheGrantStopsItsTokensAndSources() {
    AppTokens g = grant(memberId, flowId, FLOW_POST, FLOW_READ);
    String other = token(FLOW_READ);
    JsonNode made = createSource(g.token(), "CI");
    String source = made.get("flow_token").asText();
    ok(http.post("/messages", null, message(source, "before")));

    AppTokens.revoke(store, g.grantId(), memberId, clock.instant());

    assertThat(http.get("/api/v1/flows", g.token()).status()).isEqualTo(401);
    assertThat(http.post("/messages", null, message(source, "after")).status()).isEqualTo(401);
    JsonNode listed = byId(ok(http.get("/api/v1/sources", adminToken)), made.get("id").asLong());
    assertThat(listed.get("revoked_at").isNull()).as("revoked with its grant").isFalse();
    assertThat(ok(http.get("/api/v1/flows", other))).as("another grant holds").hasSize(1);
  }

  @Test
  void anAccessTokenExpiresAfterAnHour() {
    String read = token(FLOW_READ);
    clock.advance(AppTokens.LIFETIME.minusSeconds(1));
    assertThat(ok(http.get("/api/v1/flows", read))).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(http.get("/api/v1/flows", read).status()).isEqualTo(401);
  }

  // ---- sources the Flowdock way

  JsonNode createSource(String token, String name) {
    Http.Answer created =
        http.post(
            "/api/v1/flows/" + flowId + "/sources",
            token,
            "{\"name\":\"%s\",\"external_url\":\"https://ci.example.com/acme\"}".formatted(name));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    return created.json();
  }

  static String message(String flowToken, String content) {
    return ("{\"flow_token\":\"%s\",\"event\":\"message\",\"content\":\"%s\","
            + "\"external_thread_id\":\"build:1\",\"thread\":{\"title\":\"Build 1\"}}")
        .formatted(flowToken, content);
  }

  static JsonNode byId(JsonNode list, long id) {
    for (JsonNode item : list) {
      if (item.get("id").asLong() == id) {
        return item;
      }
    }
    return null;
  }

  @Test
  void anAppMakesListsAndDeletesItsOwnSourcesInItsGrantsFlow() {
    String post = token(FLOW_POST);
    JsonNode made = createSource(post, "Nightly builds");
    long id = made.get("id").asLong();
    assertThat(made.get("flow_token").asText()).matches("[0-9a-f]{32}");
    assertThat(made.get("name").asText()).isEqualTo("Nightly builds");
    assertThat(made.get("external_url").asText()).isEqualTo("https://ci.example.com/acme");
    assertThat(made.get("created_by").asLong()).isEqualTo(memberId);
    assertThat(made.get("app_id").asLong()).isEqualTo(appId);
    assertThat(made.get("flow_id").asLong()).isEqualTo(flowId);

    JsonNode posted =
        ok(http.post("/messages", null, message(made.get("flow_token").asText(), "hi")));
    assertThat(posted.get("flow_id").asLong()).isEqualTo(flowId);

    // Listed with the source an admin made for the app there; never with its token again.
    JsonNode listed = ok(http.get("/api/v1/flows/" + flowId + "/sources", post));
    assertThat(listed).hasSize(2);
    assertThat(byId(listed, id).has("flow_token")).isFalse();
    assertThat(listed.get(0).get("created_by").isNull()).isTrue();

    JsonNode gone = ok(http.send("DELETE", "/api/v1/flows/" + flowId + "/sources/" + id, post));
    assertThat(gone.get("revoked_at").isNull()).isFalse();
    assertThat(http.post("/messages", null, message(made.get("flow_token").asText(), "x")).status())
        .isEqualTo(401);
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/sources", post))).hasSize(1);
    assertThat(http.send("DELETE", "/api/v1/flows/" + flowId + "/sources/" + id, post).status())
        .as("already gone")
        .isEqualTo(404);
  }

  @Test
  void anotherAppsSourceAndAnotherFlowAreNotThere() {
    long jira = ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Jira\"}")).get("id").asLong();
    long jiraSource =
        ok(http.post(
                "/api/v1/sources",
                adminToken,
                "{\"app_id\":" + jira + ",\"flow_id\":" + flowId + "}"))
            .get("id")
            .asLong();
    long ops =
        ok(http.post(
                "/api/v1/flows", adminToken, "{\"name\":\"ops\",\"members\":[" + memberId + "]}"))
            .get("id")
            .asLong();
    long opsSource =
        ok(http.post(
                "/api/v1/sources",
                adminToken,
                "{\"app_id\":" + appId + ",\"flow_id\":" + ops + "}"))
            .get("id")
            .asLong();
    String post = token(FLOW_POST);
    String base = "/api/v1/flows/" + flowId + "/sources/";

    assertThat(http.send("DELETE", base + jiraSource, post).status()).isEqualTo(404);
    assertThat(http.send("DELETE", base + opsSource, post).status()).isEqualTo(404);
    assertThat(http.send("DELETE", "/api/v1/flows/" + ops + "/sources/" + opsSource, post).status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/flows/" + ops + "/sources", post).status()).isEqualTo(404);
    Http.Answer elsewhere =
        http.post("/api/v1/flows/" + ops + "/sources", post, "{\"name\":\"CI\"}");
    assertThat(elsewhere.status()).isEqualTo(404);
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/sources", post)))
        .extracting(s -> s.get("app_id").asLong())
        .containsOnly(appId);
    assertThat(ok(http.get("/api/v1/sources", adminToken)))
        .as("nothing revoked, nothing made")
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.get("revoked_at").isNull()).isTrue());
  }

  @Test
  void sourcesAreForAppsThroughAGrantAndTheirInputIsChecked() {
    String path = "/api/v1/flows/" + flowId + "/sources";
    Http.Answer own = http.post(path, adminToken, "{\"name\":\"CI\"}");
    assertThat(own.status()).isEqualTo(403);
    assertThat(own.json().get("message").asText()).contains("grant", "POST /api/v1/sources");
    assertThat(http.get(path, memberToken).status()).isEqualTo(403);
    refusedFor(http.post(path, token(FLOW_READ, CHAT_WRITE), "{\"name\":\"CI\"}"), FLOW_POST);

    String post = token(FLOW_POST);
    assertThat(errors(http.post(path, post, "{}")).get("name").get(0).asText())
        .isEqualTo("is required");
    assertThat(errors(http.post(path, post, "{\"name\":\"" + "x".repeat(101) + "\"}")).has("name"))
        .isTrue();
    assertThat(errors(http.post(path, post, "{\"name\":7}")).get("name").get(0).asText())
        .isEqualTo("must be a string");
    assertThat(
            errors(http.post(path, post, "{\"name\":\"CI\",\"external_url\":\"ftp://ci\"}"))
                .get("external_url")
                .get(0)
                .asText())
        .contains("http");
    assertThat(http.post(path, post, "[]").status()).isEqualTo(400);
    assertThat(http.send("DELETE", path + "/abc", post).status()).isEqualTo(400);
    assertThat(ok(http.get(path, post))).as("nothing made").hasSize(1);

    JsonNode plain = ok(http.post(path, post, "{\"name\":\"  CI  \"}"));
    assertThat(plain.get("name").asText()).isEqualTo("CI");
    assertThat(plain.get("external_url").isNull()).isTrue();
  }

  static JsonNode errors(Http.Answer answer) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(400);
    return answer.json().get("errors");
  }

  // ---- chat:write

  @Test
  void chatWriteSendsAsThePersonAndPressesActions() {
    String chat = grant(memberId, null, CHAT_WRITE).token();

    JsonNode sent =
        ok(
            http.post(
                "/v1/chat.sendMessage",
                chat,
                "{\"to\":\"g:" + flowId + "\",\"text\":\"Deploying now\"}"));
    assertThat(sent.get("uid").asText()).isNotBlank();
    JsonNode inBody =
        ok(
            http.post(
                "/v1/chat.sendMessage",
                null,
                "{\"token\":\"" + chat + "\",\"to\":\"u:" + adminId + "\",\"text\":\"psst\"}"));
    assertThat(inBody.get("uid").asText()).isNotEqualTo(sent.get("uid").asText());
    JsonNode chatMessages =
        ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", memberToken)).get("items");
    assertThat(chatMessages).hasSize(1);
    assertThat(chatMessages.get(0).get("from").asText()).isEqualTo("u:" + memberId);
    assertThat(chatMessages.get(0).get("app_id").asLong()).isEqualTo(appId);

    long thread = postActivity();
    JsonNode pressed = ok(http.post("/api/v1/threads/" + thread + "/actions/0", chat, ""));
    JsonNode delivery =
        ok(http.get("/api/v1/deliveries/" + pressed.get("delivery_id").asLong(), adminToken));
    assertThat(delivery.get("actor_id").asLong()).isEqualTo(memberId);
    assertThat(app.requests()).hasSize(1);

    Http.Answer without =
        http.post(
            "/v1/chat.sendMessage",
            token(FLOW_READ),
            "{\"to\":\"g:" + flowId + "\",\"text\":\"x\"}");
    assertThat(without.status()).isEqualTo(403);
    assertThat(without.json().get("error").asText()).isEqualTo("AccessDenied");
    assertThat(without.json().get("description").asText()).contains("chat:write");
    Http.Answer unknown =
        http.post("/v1/chat.sendMessage", "bca_unknown", "{\"to\":\"g:" + flowId + "\"}");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.json().get("error").asText()).isEqualTo("InvalidToken");
  }
}
