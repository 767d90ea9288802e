package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.backchannel.core.oauth.Grant;
import org.backchannel.core.oauth.OAuthStore;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Scope;
import org.backchannel.server.GrantRows.Made;
import org.junit.jupiter.api.Test;

/**
 * People see and control the apps they authorised; admins see and revoke every grant, read the
 * record and set the install policy; a flow's members see its apps; everyone sees the directory of
 * approved apps. Grants are made through the store as the OAuth protocol leaves them. Runs once per
 * store.
 */
abstract class GrantsContract extends ServerFixture {

  long workspaceId() {
    return ok(http.get("/api/v1/me", adminToken)).get("workspace_id").asLong();
  }

  long userId(String token) {
    return ok(http.get("/api/v1/me", token)).get("id").asLong();
  }

  Made grant(long app, long userId, Long flow, Set<Scope> scopes) {
    return GrantRows.grant(store, clock.instant(), workspaceId(), app, userId, flow, scopes);
  }

  Made memberGrant() {
    return grant(appId, memberId, flowId, Set.of(Scope.FLOW_POST, Scope.USER_READ));
  }

  void client(long app, boolean approved, String description, String installUrl) {
    GrantRows.client(store, clock.instant(), app, approved, description, installUrl);
  }

  Http.Answer post(String token) {
    return http.post(
        "/messages", null, activity("x:" + System.nanoTime()).replace(flowToken, token));
  }

  @Test
  void aPersonSeesAndRevokesTheirOwnGrantAndItsTokenAndSourceStopAtOnce() {
    Made made = memberGrant();
    assertThat(ok(http.get("/api/v1/me", made.accessToken())).get("id").asLong())
        .as("the app acts for her")
        .isEqualTo(memberId);
    assertThat(post(made.flowToken()).status()).isEqualTo(201);

    JsonNode mine = ok(http.get("/api/v1/me/grants", memberToken));
    assertThat(mine).hasSize(1);
    JsonNode g = mine.get(0);
    assertThat(g.get("id").asLong()).isEqualTo(made.id());
    assertThat(g.get("app_name").asText()).isEqualTo("GitHub");
    assertThat(g.get("user_name").asText()).isEqualTo("Mia Member");
    assertThat(g.get("flow_id").asLong()).isEqualTo(flowId);
    assertThat(g.get("flow_name").asText()).isEqualTo("dev");
    assertThat(g.get("scopes"))
        .extracting(JsonNode::asText)
        .containsExactly("flow:post", "user:read");
    assertThat(g.get("created_at").asText()).isEqualTo(NOW.toString());
    assertThat(g.get("revoked_at").isNull()).isTrue();
    assertThat(ok(http.get("/api/v1/me/grants", adminToken))).as("only her own").isEmpty();

    clock.advance(Duration.ofMinutes(3));
    JsonNode revoked = ok(http.send("DELETE", "/api/v1/me/grants/" + made.id(), memberToken));
    assertThat(revoked.get("revoked_at").asText()).isEqualTo(NOW.plusSeconds(180).toString());
    assertThat(revoked.get("revoked_by").asLong()).isEqualTo(memberId);
    assertThat(revoked.get("revoked_by_name").asText()).isEqualTo("Mia Member");

    assertThat(http.get("/api/v1/me", made.accessToken()).status()).isEqualTo(401);
    assertThat(post(made.flowToken()).status()).isEqualTo(401);
    assertThat(post(flowToken).status()).as("the admin's source is not hers").isEqualTo(201);
    assertThat(ok(http.get("/api/v1/me/grants", memberToken))).isEmpty();

    // Revoking again changes nothing: the first revocation stays, recorded once.
    JsonNode again = ok(http.send("DELETE", "/api/v1/me/grants/" + made.id(), memberToken));
    assertThat(again.get("revoked_at")).isEqualTo(revoked.get("revoked_at"));
    JsonNode events = ok(http.get("/api/v1/grants/events", adminToken));
    assertThat(events)
        .extracting(e -> e.get("action").asText())
        .containsExactly("revoked", "granted");
    assertThat(events.get(0).get("actor_name").asText()).isEqualTo("Mia Member");
  }

  @Test
  void nobodyRevokesAnotherPersonsGrantAsTheirOwn() {
    Made ada = grant(appId, userId(adminToken), flowId, Set.of(Scope.FLOW_POST));

    for (String token : List.of(memberToken, outsiderToken)) {
      Http.Answer refused = http.send("DELETE", "/api/v1/me/grants/" + ada.id(), token);
      assertThat(refused.status()).isEqualTo(404);
      assertThat(refused.json().get("message").asText()).contains("grant " + ada.id());
    }
    assertThat(http.send("DELETE", "/api/v1/me/grants/999999", memberToken).status())
        .isEqualTo(404);
    assertThat(ok(http.get("/api/v1/me/grants", adminToken))).hasSize(1);
    assertThat(post(ada.flowToken()).status()).as("still posts").isEqualTo(201);
  }

  @Test
  void anAppsAccessTokenNeitherSeesNorChangesGrants() {
    Made made = memberGrant();
    for (String path : List.of("/api/v1/me/grants", "/api/v1/apps/directory")) {
      assertThat(http.get(path, made.accessToken()).status()).as(path).isEqualTo(403);
    }
    assertThat(http.get("/api/v1/flows/" + flowId + "/apps", made.accessToken()).status())
        .isEqualTo(403);
    assertThat(http.send("DELETE", "/api/v1/me/grants/" + made.id(), made.accessToken()).status())
        .isEqualTo(403);
    assertThat(ok(http.get("/api/v1/me/grants", memberToken))).hasSize(1);
  }

  @Test
  void adminsSeeEveryGrantRevokeAnyAndReadWhoDidWhatWhen() {
    long ada = userId(adminToken);
    Made mia = memberGrant();
    clock.advance(Duration.ofMinutes(1));
    Made own = grant(appId, ada, null, Set.of(Scope.USER_READ));

    JsonNode all = ok(http.get("/api/v1/grants", adminToken));
    assertThat(all).extracting(g -> g.get("id").asLong()).containsExactly(own.id(), mia.id());
    assertThat(all.get(0).get("flow_id").isNull()).isTrue();
    assertThat(all.get(0).get("flow_name").isNull()).isTrue();
    assertThat(http.get("/api/v1/grants", memberToken).status()).isEqualTo(403);
    assertThat(http.send("DELETE", "/api/v1/grants/" + mia.id(), memberToken).status())
        .isEqualTo(403);
    assertThat(http.get("/api/v1/grants/events", memberToken).status()).isEqualTo(403);

    clock.advance(Duration.ofMinutes(1));
    JsonNode revoked = ok(http.send("DELETE", "/api/v1/grants/" + mia.id(), adminToken));
    assertThat(revoked.get("revoked_by").asLong()).isEqualTo(ada);
    assertThat(revoked.get("revoked_by_name").asText()).isEqualTo("Ada Admin");
    assertThat(http.get("/api/v1/me", mia.accessToken()).status()).isEqualTo(401);
    assertThat(post(mia.flowToken()).status()).isEqualTo(401);
    assertThat(ok(http.get("/api/v1/me/grants", memberToken))).isEmpty();

    assertThat(ok(http.get("/api/v1/grants", adminToken)))
        .extracting(g -> g.get("id").asLong())
        .containsExactly(own.id());
    JsonNode withRevoked = ok(http.get("/api/v1/grants?revoked=true", adminToken));
    assertThat(withRevoked)
        .extracting(g -> g.get("id").asLong())
        .containsExactly(own.id(), mia.id());
    assertThat(withRevoked.get(1).get("revoked_at").asText())
        .isEqualTo(NOW.plusSeconds(120).toString());
    Http.Answer maybe = http.get("/api/v1/grants?revoked=maybe", adminToken);
    assertThat(maybe.status()).isEqualTo(400);
    assertThat(maybe.json().get("errors").has("revoked")).isTrue();

    JsonNode events = ok(http.get("/api/v1/grants/events", adminToken));
    assertThat(events)
        .extracting(e -> e.get("action").asText() + " " + e.get("grant_id").asLong())
        .containsExactly("revoked " + mia.id(), "granted " + own.id(), "granted " + mia.id());
    JsonNode last = events.get(0);
    assertThat(last.get("actor_id").asLong()).isEqualTo(ada);
    assertThat(last.get("actor_name").asText()).isEqualTo("Ada Admin");
    assertThat(last.get("at").asText()).isEqualTo(NOW.plusSeconds(120).toString());
    assertThat(last.get("app_name").asText()).isEqualTo("GitHub");
    assertThat(last.get("user_name").asText()).isEqualTo("Mia Member");
    assertThat(last.get("flow_name").asText()).isEqualTo("dev");
    assertThat(ok(http.get("/api/v1/grants/events?limit=1", adminToken))).hasSize(1);
    for (String limit : List.of("0", "501", "abc", "1.5")) {
      Http.Answer bad = http.get("/api/v1/grants/events?limit=" + limit, adminToken);
      assertThat(bad.status()).as(limit).isEqualTo(400);
      assertThat(bad.json().get("errors").has("limit")).as(limit).isTrue();
    }
  }

  @Test
  void anAdminCannotReachAnotherWorkspacesGrant() {
    var other =
        server.backchannel().directory().bootstrap("Globex", "Gil Admin", "gil@example.com");
    String gil = other.secret();
    long app = ok(http.post("/api/v1/apps", gil, "{\"name\":\"Jira\"}")).get("id").asLong();
    long otherWs = other.value().workspaceId();
    Grant theirs =
        store.transaction(
            (Tx tx) ->
                tx.store(OAuthStore.class)
                    .insertGrant(
                        otherWs, app, other.value().id(), null, Set.of(Scope.USER_READ), NOW));

    assertThat(http.send("DELETE", "/api/v1/grants/" + theirs.id(), adminToken).status())
        .isEqualTo(404);
    assertThat(ok(http.get("/api/v1/grants?revoked=true", adminToken))).isEmpty();
    assertThat(ok(http.get("/api/v1/grants", gil))).hasSize(1);
  }

  @Test
  void theInstallPolicyIsSetByAdminsAndABadValueChangesNothing() {
    assertThat(ok(http.get("/api/v1/workspace", memberToken)).get("install_policy").asText())
        .isEqualTo("any");

    JsonNode set =
        ok(
            http.send(
                "PATCH", "/api/v1/workspace", adminToken, "{\"install_policy\":\"approved\"}"));
    assertThat(set.get("install_policy").asText()).isEqualTo("approved");
    assertThat(ok(http.get("/api/v1/workspace", memberToken)).get("install_policy").asText())
        .isEqualTo("approved");
    assertThat(
            http.send("PATCH", "/api/v1/workspace", memberToken, "{\"install_policy\":\"any\"}")
                .status())
        .isEqualTo(403);

    for (String body :
        List.of(
            "{\"install_policy\":\"some\"}",
            "{\"install_policy\":3}",
            "{\"install_policy\":\"\"}",
            "{\"install_policy\":\"nobody\",\"retention\":\"7d\"}")) {
      Http.Answer refused = http.send("PATCH", "/api/v1/workspace", adminToken, body);
      assertThat(refused.status()).as(body).isEqualTo(400);
      assertThat(refused.json().get("errors").has("install_policy")).as(body).isTrue();
    }
    Http.Answer badRetention =
        http.send(
            "PATCH",
            "/api/v1/workspace",
            adminToken,
            "{\"install_policy\":\"none\",\"retention\":\"soon\"}");
    assertThat(badRetention.status()).isEqualTo(400);
    assertThat(badRetention.json().get("errors").has("retention")).isTrue();
    JsonNode now = ok(http.get("/api/v1/workspace", adminToken));
    assertThat(now.get("install_policy").asText())
        .as("refusals change nothing")
        .isEqualTo("approved");
    assertThat(now.get("retention_overridden").asBoolean()).isFalse();

    JsonNode both =
        ok(
            http.send(
                "PATCH",
                "/api/v1/workspace",
                adminToken,
                "{\"install_policy\":\"NONE\",\"retention\":\"7d\"}"));
    assertThat(both.get("install_policy").asText()).isEqualTo("none");
    assertThat(both.get("retention").asText()).isEqualTo("7d");
    JsonNode untouched = ok(http.send("PATCH", "/api/v1/workspace", adminToken, "{}"));
    assertThat(untouched.get("install_policy").asText()).isEqualTo("none");
  }

  @Test
  void aFlowsMembersSeeWhichAppsPostThereAndWhoAddedThem() {
    Made mia = memberGrant();
    JsonNode apps = ok(http.get("/api/v1/flows/" + flowId + "/apps", memberToken));
    assertThat(apps.get("flow_id").asLong()).isEqualTo(flowId);
    JsonNode sources = apps.get("sources");
    assertThat(sources).hasSize(2);
    assertThat(sources.get(0).get("app_name").asText()).isEqualTo("GitHub");
    assertThat(sources.get(0).get("added_by").isNull()).as("an admin's source").isTrue();
    assertThat(sources.get(0).get("grant_id").isNull()).isTrue();
    assertThat(sources.get(1).get("added_by").asLong()).isEqualTo(memberId);
    assertThat(sources.get(1).get("added_by_name").asText()).isEqualTo("Mia Member");
    assertThat(sources.get(1).get("grant_id").asLong()).isEqualTo(mia.id());
    assertThat(sources.get(1).get("external_url").asText())
        .isEqualTo("https://github.example/acme");
    assertThat(apps.get("grants")).hasSize(1);
    assertThat(apps.get("grants").get(0).get("user_name").asText()).isEqualTo("Mia Member");
    assertThat(ok(http.get("/api/v1/flows/" + flowId + "/apps", adminToken)))
        .as("the admin made the flow, so is in it")
        .isEqualTo(apps);

    for (String path : List.of("/api/v1/flows/" + flowId + "/apps", "/api/v1/flows/99999/apps")) {
      assertThat(http.get(path, outsiderToken).status()).as(path).isEqualTo(404);
    }

    // Once she leaves the flow, her app no longer posts there, and the page says so.
    http.send("DELETE", "/api/v1/flows/" + flowId + "/members/" + memberId, adminToken);
    JsonNode after = ok(http.get("/api/v1/flows/" + flowId + "/apps", adminToken));
    assertThat(after.get("sources")).hasSize(1);
    assertThat(after.get("grants")).isEmpty();
    assertThat(post(mia.flowToken()).status()).isEqualTo(401);
  }

  @Test
  void theDirectoryListsOnlyApprovedAppsWithTheirInstallLinks() {
    long jira = ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Jira\"}")).get("id").asLong();
    long zed = ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"zed\"}")).get("id").asLong();
    ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Asana\"}")); // no client settings
    client(appId, true, "Pull requests and builds", "https://github.example/install");
    client(jira, false, "Issues", "https://jira.example/install");
    client(zed, true, null, null);

    JsonNode listed = ok(http.get("/api/v1/apps/directory", memberToken));
    assertThat(listed).extracting(a -> a.get("name").asText()).containsExactly("GitHub", "zed");
    assertThat(listed.get(0).get("app_id").asLong()).isEqualTo(appId);
    assertThat(listed.get(0).get("description").asText()).isEqualTo("Pull requests and builds");
    assertThat(listed.get(0).get("install_url").asText())
        .isEqualTo("https://github.example/install");
    assertThat(listed.get(1).get("install_url").isNull()).isTrue();
    assertThat(ok(http.get("/api/v1/apps/directory", outsiderToken))).hasSize(2);
    assertThat(http.get("/api/v1/apps/directory", null).status()).isEqualTo(401);
  }

  @Test
  void theCommandLineListsRevokesAndSetsThePolicy() {
    Made mia = memberGrant();
    String url = server.url().toString();
    assertThat(Main.commandLine().execute("grants", "list", "--url", url, "--token", adminToken))
        .isZero();
    assertThat(
            Main.commandLine()
                .execute("grants", "list", "--mine", "--url", url, "--token", memberToken))
        .isZero();
    assertThat(
            Main.commandLine()
                .execute(
                    "grants",
                    "revoke",
                    String.valueOf(mia.id()),
                    "--url",
                    url,
                    "--token",
                    memberToken))
        .as("without --mine it is the admin's route")
        .isEqualTo(1);
    assertThat(
            Main.commandLine()
                .execute(
                    "grants",
                    "revoke",
                    String.valueOf(mia.id()),
                    "--mine",
                    "--url",
                    url,
                    "--token",
                    memberToken))
        .isZero();
    assertThat(ok(http.get("/api/v1/me/grants", memberToken))).isEmpty();
    assertThat(
            Main.commandLine()
                .execute("grants", "events", "--limit", "5", "--url", url, "--token", adminToken))
        .isZero();
    assertThat(
            Main.commandLine()
                .execute(
                    "workspace",
                    "set",
                    "--install-policy",
                    "approved",
                    "--url",
                    url,
                    "--token",
                    adminToken))
        .isZero();
    assertThat(ok(http.get("/api/v1/workspace", memberToken)).get("install_policy").asText())
        .isEqualTo("approved");
    assertThat(
            Main.commandLine()
                .execute(
                    "workspace",
                    "set",
                    "--install-policy",
                    "all",
                    "--url",
                    url,
                    "--token",
                    adminToken))
        .isEqualTo(1);
  }
}
