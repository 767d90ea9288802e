package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuth2Authorization;
import com.github.scribejava.core.revoke.TokenTypeHint;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backchannel.core.Json;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.oauth.GrantEvent;
import org.backchannel.core.oauth.InstallPolicy;
import org.backchannel.core.oauth.OAuthStore;
import org.backchannel.core.workspace.User;
import org.backchannel.testkit.RecordingReceiver.Recorded;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OAuth 2.0 code flow end to end, on a real server and store: an app (ScribeJava, a client
 * library that is not ours) sends a person to {@code /oauth/authorize}; the person signs in,
 * consents and picks a flow; their user agent is sent back to the app's redirect URI (a real
 * receiver); the app exchanges the code, calls the API with the access token, refreshes and
 * revokes. Then every way it must not work: reused and expired codes, another client's code, a
 * wrong redirect URI, secret or PKCE verifier, refresh-token reuse, scope escalation, a denied or
 * disallowed request, a revoked grant, a deactivated person. Runs once per store.
 */
abstract class OAuthContract extends ServerFixture {
  static final String PASSWORD = "correct horse battery";
  static final String SCOPES = "flow:post user:read";

  String redirect;
  OAuthApp basic;

  @BeforeEach
  void registerTheAppAsAClient() {
    redirect = app.url("/oauth/callback").toString();
    JsonNode saved =
        ok(
            http.send(
                "PUT",
                "/api/v1/apps/" + appId + "/oauth",
                adminToken,
                """
                {"redirect_uris": ["%s", "https://github.example.com/backchannel/callback"],
                 "description": "Posts pull requests and builds to a flow."}
                """
                    .formatted(redirect)));
    assertThat(saved.get("client_id").asText()).isEqualTo("gh");
    basic = new OAuthApp(server.url(), "gh", appSecret, redirect, OAuthApp.Auth.BASIC);
  }

  /** Mia's browser, signed in. */
  Visitor mia() {
    User mia = server.backchannel().directory().authenticate(memberToken);
    return new Visitor(server.url()).signedIn(new WebAccounts(store, clock).startSession(mia));
  }

  /** Opens the link, allows on the consent page with the first flow offered; where it leads. */
  static URI allow(Visitor person, String link) {
    return decide(person, link, "allow", null);
  }

  static URI decide(Visitor person, String link, String decision, String flow) {
    HttpResponse<String> consent = person.get(link);
    assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
    Map<String, String> form = new LinkedHashMap<>(Visitor.hidden(consent.body()));
    form.put("decision", decision);
    Map<String, String> flows = Visitor.options(consent.body());
    if (flow != null || !flows.isEmpty()) {
      form.put("flow", flow != null ? flow : flows.keySet().iterator().next());
    }
    HttpResponse<String> decided = person.post("/oauth/authorize", form);
    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(303);
    return URI.create(Visitor.location(decided));
  }

  /** The whole dance for the basic-auth app: its tokens. */
  OAuth2AccessToken authorised(OAuthApp client) {
    OAuthApp.Link link = client.link("s-" + System.nanoTime(), false);
    OAuth2Authorization back = client.callback(allow(mia(), link.url()));
    assertThat(back.getState()).isEqualTo(link.state());
    return client.exchange(back.getCode(), link.verifier());
  }

  List<GrantEvent> events() {
    return store.read(tx -> tx.store(OAuthStore.class).events(1, 50));
  }

  static JsonNode json(OAuth2AccessToken token) {
    return Json.read(token.getRawResponse());
  }

  @Test
  void aPersonSignsInConsentsPicksAFlowAndTheAppCallsTheApiWithItsToken() {
    WebAccounts accounts = new WebAccounts(store, clock);
    accounts.completeSetup(accounts.newSetupLink(1, "mia@example.com"), PASSWORD, PASSWORD);
    OAuthApp.Link link = basic.link("xyz 1/2", false);
    Visitor person = new Visitor(server.url());

    // Signed out: to the sign-in page, which leads back here.
    HttpResponse<String> first = person.get(link.url());
    assertThat(first.statusCode()).isEqualTo(303);
    String signIn = Visitor.location(first);
    assertThat(signIn).startsWith("/login?next=%2Foauth%2Fauthorize%3F");
    HttpResponse<String> form = person.get(signIn);
    Map<String, String> fields = new LinkedHashMap<>(Visitor.hidden(form.body()));
    assertThat(fields.get("next")).startsWith("/oauth/authorize?");
    fields.put("email", "mia@example.com");
    fields.put("password", PASSWORD);
    HttpResponse<String> signedIn = person.post("/login", fields);
    assertThat(signedIn.statusCode()).isEqualTo(303);
    assertThat(Visitor.location(signedIn)).isEqualTo(fields.get("next"));

    HttpResponse<String> consent = person.get(Visitor.location(signedIn));
    assertThat(consent.statusCode()).isEqualTo(200);
    assertThat(consent.body())
        .contains("Allow GitHub to use Backchannel as you?")
        .contains("Posts pull requests and builds to a flow.")
        .contains("Post to the flow you pick, through a source it creates there")
        .contains("See your name, email address and picture")
        .contains("Mia Member");
    assertThat(Visitor.options(consent.body())).containsExactly(Map.entry(flowId + "", "dev"));
    assertThat(consent.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("form-action 'self' " + app.url("/").toString().replaceAll("/$", ""));

    Map<String, String> allow = new LinkedHashMap<>(Visitor.hidden(consent.body()));
    allow.put("decision", "allow");
    allow.put("flow", Long.toString(flowId));
    HttpResponse<String> decided = person.post("/oauth/authorize", allow);
    assertThat(decided.statusCode()).isEqualTo(303);
    URI back = URI.create(Visitor.location(decided));
    assertThat(back.toString()).startsWith(redirect + "?");
    // The person's browser goes there: the app's own server receives the code and the state.
    assertThat(person.get(back.toString()).statusCode()).isEqualTo(200);
    Recorded arrived = app.take(Duration.ofSeconds(5));
    assertThat(arrived.path()).isEqualTo("/oauth/callback");
    OAuth2Authorization got = basic.callback(URI.create(redirect + "?" + arrived.query()));
    assertThat(got.getState()).isEqualTo("xyz 1/2");

    OAuth2AccessToken tokens;
    try (LogCapture logs = new LogCapture()) {
      tokens = basic.exchange(got.getCode(), null);
      assertThat(logs.text()).doesNotContain(appSecret).doesNotContain(tokens.getAccessToken());
    }
    assertThat(tokens.getAccessToken()).startsWith("bca_");
    assertThat(tokens.getRefreshToken()).startsWith("bcr_");
    assertThat(tokens.getTokenType()).isEqualTo("Bearer");
    assertThat(tokens.getExpiresIn()).isEqualTo(3600);
    assertThat(tokens.getScope()).isEqualTo(SCOPES);
    assertThat(json(tokens).get("flow_id").asLong()).isEqualTo(flowId);

    JsonNode me = ok(http.get("/api/v1/me", tokens.getAccessToken()));
    assertThat(me.get("email").asText()).isEqualTo("mia@example.com");
    Http.Answer unread = http.get("/api/v1/flows", tokens.getAccessToken());
    assertThat(unread.status()).as("flow:read was not granted").isEqualTo(403);
    assertThat(unread.json().at("/errors/scope/0").asText()).isEqualTo("requires flow:read");

    // With flow:post the app makes its own source in the picked flow and posts with its token.
    JsonNode source =
        ok(
            http.post(
                "/api/v1/flows/" + flowId + "/sources",
                tokens.getAccessToken(),
                "{\"name\":\"GitHub\",\"external_url\":\"https://github.example/acme\"}"));
    assertThat(source.get("created_by").asLong()).isEqualTo(memberId);
    JsonNode posted =
        ok(
            http.post(
                "/messages",
                null,
                ("{\"flow_token\":\"%s\",\"event\":\"activity\",\"title\":\"Opened #1\","
                        + "\"author\":{\"name\":\"GitHub\"},\"external_thread_id\":\"pr:1\","
                        + "\"thread\":{\"title\":\"PR 1\"}}")
                    .formatted(source.get("flow_token").asText())));
    assertThat(
            ok(http.get("/api/v1/threads/" + posted.get("thread_id").asLong(), memberToken))
                .get("title")
                .asText())
        .isEqualTo("PR 1");
    GrantEvent granted = events().getFirst();
    assertThat(granted.action()).isEqualTo("granted");
    assertThat(granted.actorId()).isEqualTo(memberId);
    assertThat(granted.detail()).contains(SCOPES).contains("flow " + flowId);
  }

  @Test
  void theSecretMaySitInTheBodyAndTheStateComesBackAsSent() {
    OAuthApp post = new OAuthApp(server.url(), "gh", appSecret, redirect, OAuthApp.Auth.POST);
    OAuthApp.Link link = post.link("a+b&c=d é", false);
    OAuth2Authorization back = post.callback(allow(mia(), link.url()));
    assertThat(back.getState()).isEqualTo("a+b&c=d é");

    OAuth2AccessToken tokens = post.exchange(back.getCode(), null);

    assertThat(ok(http.get("/api/v1/me", tokens.getAccessToken())).get("id").asLong())
        .isEqualTo(memberId);
  }

  @Test
  void aRefreshRotatesAndAReusedRefreshTokenRevokesTheWholeGrant() {
    OAuth2AccessToken first = authorised(basic);

    OAuth2AccessToken second = basic.refresh(first.getRefreshToken());
    assertThat(second.getRefreshToken()).isNotEqualTo(first.getRefreshToken());
    assertThat(second.getAccessToken()).isNotEqualTo(first.getAccessToken());
    assertThat(json(second).get("flow_id").asLong()).isEqualTo(flowId);
    assertThat(ok(http.get("/api/v1/me", second.getAccessToken())).get("id").asLong())
        .isEqualTo(memberId);

    // The old refresh token again: refused, and the grant with every token of it revoked.
    assertThat(OAuthApp.refusal(() -> basic.refresh(first.getRefreshToken())))
        .isEqualTo("invalid_grant");
    assertThat(http.get("/api/v1/me", second.getAccessToken()).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me", first.getAccessToken()).status()).isEqualTo(401);
    assertThat(OAuthApp.refusal(() -> basic.refresh(second.getRefreshToken())))
        .isEqualTo("invalid_grant");
    assertThat(events().getFirst().action()).isEqualTo("refresh_reused");
    assertThat(events().getFirst().actorId()).isNull();
  }

  @Test
  void aRefreshKeepsTheGrantedScopesAndCannotWidenThem() {
    OAuth2AccessToken tokens = authorised(basic);

    assertThat(
            OAuthApp.refusal(() -> basic.refresh(tokens.getRefreshToken(), SCOPES + " chat:write")))
        .isEqualTo("invalid_scope");
    assertThat(OAuthApp.refusal(() -> basic.refresh(tokens.getRefreshToken(), "admin")))
        .isEqualTo("invalid_scope");
    // Refused before it was spent: the token still refreshes.
    assertThat(basic.refresh(tokens.getRefreshToken(), SCOPES).getScope()).isEqualTo(SCOPES);
  }

  @Test
  void aPublicClientMustUsePkceAndTheRightVerifier() {
    long phone =
        ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Phone\",\"client_id\":\"phone\"}"))
            .get("id")
            .asLong();
    String back = app.url("/phone").toString();
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + phone + "/oauth",
            adminToken,
            "{\"redirect_uris\": [\"" + back + "\"], \"public_client\": true}"));
    OAuthApp client = new OAuthApp(server.url(), "phone", null, back, OAuthApp.Auth.PUBLIC);

    // Without a challenge: refused, back at the redirect URI.
    URI without = URI.create(Visitor.location(mia().get(client.link("n", false).url())));
    assertThat(without.getQuery())
        .contains("error=invalid_request")
        .contains("PKCE")
        .contains("state=n");

    OAuthApp.Link wrong = client.link("w", true);
    String wrongCode = client.callback(allow(mia(), wrong.url())).getCode();
    assertThat(
            OAuthApp.refusal(
                () -> client.exchange(wrongCode, client.link("other", true).verifier())))
        .isEqualTo("invalid_grant");

    OAuthApp.Link link = client.link("p", true);
    String code = client.callback(allow(mia(), link.url())).getCode();
    assertThat(OAuthApp.refusal(() -> client.exchange(code, null))).isEqualTo("invalid_grant");
    OAuthApp.Link again = client.link("p2", true);
    OAuth2AccessToken tokens =
        client.exchange(client.callback(allow(mia(), again.url())).getCode(), again.verifier());
    assertThat(ok(http.get("/api/v1/me", tokens.getAccessToken())).get("id").asLong())
        .isEqualTo(memberId);
    // No secret to refresh with either.
    assertThat(client.refresh(tokens.getRefreshToken()).getAccessToken()).startsWith("bca_");
  }

  @Test
  void aCodeWorksOnceAndItsReuseRevokesWhatItGave() {
    OAuthApp.Link link = basic.link("once", false);
    String code = basic.callback(allow(mia(), link.url())).getCode();
    OAuth2AccessToken tokens = basic.exchange(code, null);

    assertThat(OAuthApp.refusal(() -> basic.exchange(code, null))).isEqualTo("invalid_grant");

    assertThat(http.get("/api/v1/me", tokens.getAccessToken()).status()).isEqualTo(401);
    assertThat(OAuthApp.refusal(() -> basic.refresh(tokens.getRefreshToken())))
        .isEqualTo("invalid_grant");
    assertThat(events().getFirst().action()).isEqualTo("code_reused");
  }

  @Test
  void aCodeComesBackWithItsRedirectUriToItsClientWithinAMinute() {
    OAuthApp other =
        new OAuthApp(
            server.url(),
            "gh",
            appSecret,
            "https://github.example.com/backchannel/callback",
            OAuthApp.Auth.BASIC);
    String code = basic.callback(allow(mia(), basic.link("r", false).url())).getCode();
    assertThat(OAuthApp.refusal(() -> other.exchange(code, null))).isEqualTo("invalid_grant");

    String late = basic.callback(allow(mia(), basic.link("late", false).url())).getCode();
    clock.advance(Duration.ofSeconds(61));
    assertThat(OAuthApp.refusal(() -> basic.exchange(late, null))).isEqualTo("invalid_grant");

    // Another app of the workspace, with its own secret, cannot use this app's code.
    JsonNode jira =
        ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Jira\",\"client_id\":\"jira\"}"));
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + jira.get("id").asLong() + "/oauth",
            adminToken,
            "{\"redirect_uris\": [\"" + redirect + "\"]}"));
    OAuthApp thief =
        new OAuthApp(
            server.url(), "jira", jira.get("secret").asText(), redirect, OAuthApp.Auth.BASIC);
    String theirs = basic.callback(allow(mia(), basic.link("t", false).url())).getCode();
    assertThat(OAuthApp.refusal(() -> thief.exchange(theirs, null))).isEqualTo("invalid_grant");
  }

  @Test
  void aWrongSecretIsAnInvalidClientThatSpendsNothingAndIsNeverLogged() {
    String code = basic.callback(allow(mia(), basic.link("s", false).url())).getCode();
    String wrong = "not-the-secret-" + "x".repeat(30);
    String form =
        "grant_type=authorization_code&code=" + code + "&redirect_uri=" + encode(redirect);

    Http.Answer refused;
    try (LogCapture logs = new LogCapture()) {
      refused = http.postForm("/oauth/token", form, basicAuth("gh", wrong));
      assertThat(logs.text()).doesNotContain(wrong).doesNotContain(code);
    }

    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().get("error").asText()).isEqualTo("invalid_client");
    assertThat(refused.raw().headers().firstValue("WWW-Authenticate"))
        .hasValue("Basic realm=\"backchannel\"");
    assertThat(refused.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
    Http.Answer noSecret = http.postForm("/oauth/token", form + "&client_id=gh", null);
    assertThat(noSecret.status()).isEqualTo(401);
    assertThat(noSecret.json().get("error").asText()).isEqualTo("invalid_client");

    Http.Answer good = http.postForm("/oauth/token", form, basicAuth("gh", appSecret));
    assertThat(good.status()).as(good.text()).isEqualTo(200);
    assertThat(good.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(good.json().get("token_type").asText()).isEqualTo("Bearer");
  }

  @Test
  void theTokenEndpointAnswersEachFaultAsTheRfcSays() {
    Http.Answer grant =
        http.postForm(
            "/oauth/token",
            "grant_type=password&username=a&password=b",
            basicAuth("gh", appSecret));
    assertThat(grant.status()).isEqualTo(400);
    assertThat(grant.json().get("error").asText()).isEqualTo("unsupported_grant_type");

    Http.Answer missing =
        http.postForm("/oauth/token", "grant_type=authorization_code", basicAuth("gh", appSecret));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("error").asText()).isEqualTo("invalid_request");
    assertThat(missing.json().get("error_description").asText()).isNotEmpty();

    Http.Answer unknown =
        http.postForm(
            "/oauth/token",
            "grant_type=authorization_code&code=nope&redirect_uri=" + encode(redirect),
            basicAuth("gh", appSecret));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("error").asText()).isEqualTo("invalid_grant");

    Http.Answer refresh =
        http.postForm(
            "/oauth/token",
            "grant_type=refresh_token&refresh_token=bcr_nope",
            basicAuth("nobody", "x"));
    assertThat(refresh.status()).isEqualTo(401);
    assertThat(refresh.json().get("error").asText()).isEqualTo("invalid_client");
  }

  @Test
  void revokingAnAccessTokenStopsItAndRevokingARefreshTokenStopsTheGrant() {
    OAuth2AccessToken tokens = authorised(basic);

    basic.revoke(tokens.getAccessToken(), TokenTypeHint.ACCESS_TOKEN);
    assertThat(http.get("/api/v1/me", tokens.getAccessToken()).status()).isEqualTo(401);
    OAuth2AccessToken fresh = basic.refresh(tokens.getRefreshToken());
    assertThat(http.get("/api/v1/me", fresh.getAccessToken()).status()).isEqualTo(200);

    Http.Answer revoked =
        http.postForm(
            "/oauth/revoke", "token=" + fresh.getRefreshToken(), basicAuth("gh", appSecret));
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.text()).isEmpty();
    assertThat(http.get("/api/v1/me", fresh.getAccessToken()).status()).isEqualTo(401);
    assertThat(OAuthApp.refusal(() -> basic.refresh(fresh.getRefreshToken())))
        .isEqualTo("invalid_grant");
    assertThat(events().getFirst().action()).isEqualTo("revoked");

    // Unknown tokens are answered alike; a client that fails to authenticate is not.
    assertThat(
            http.postForm("/oauth/revoke", "token=bca_unknown", basicAuth("gh", appSecret))
                .status())
        .isEqualTo(200);
    Http.Answer wrong =
        http.postForm("/oauth/revoke", "token=bca_unknown", basicAuth("gh", "wrong"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().get("error").asText()).isEqualTo("invalid_client");
  }

  @Test
  void theMetadataNamesTheEndpointsAndWhatTheyTake() {
    JsonNode m = ok(http.get("/.well-known/oauth-authorization-server", null));
    String base = server.url().toString();

    assertThat(m.get("issuer").asText()).isEqualTo(base);
    assertThat(m.get("authorization_endpoint").asText()).isEqualTo(base + "/oauth/authorize");
    assertThat(m.get("token_endpoint").asText()).isEqualTo(base + "/oauth/token");
    assertThat(m.get("revocation_endpoint").asText()).isEqualTo(base + "/oauth/revoke");
    assertThat(Json.MAPPER.convertValue(m.get("scopes_supported"), String[].class))
        .containsExactly("flow:post", "flow:read", "user:read", "chat:write", "workflows:tasks");
    assertThat(Json.MAPPER.convertValue(m.get("response_types_supported"), String[].class))
        .containsExactly("code");
    assertThat(Json.MAPPER.convertValue(m.get("grant_types_supported"), String[].class))
        .containsExactly("authorization_code", "refresh_token");
    assertThat(
            Json.MAPPER.convertValue(
                m.get("token_endpoint_auth_methods_supported"), String[].class))
        .containsExactly("client_secret_basic", "client_secret_post", "none");
    assertThat(
            Json.MAPPER.convertValue(
                m.get("revocation_endpoint_auth_methods_supported"), String[].class))
        .containsExactly("client_secret_basic", "client_secret_post", "none");
    assertThat(Json.MAPPER.convertValue(m.get("code_challenge_methods_supported"), String[].class))
        .containsExactly("S256");
  }

  @Test
  void denyingSendsAccessDeniedWithTheStateAndGrantsNothing() {
    URI back = decide(mia(), basic.link("no thanks", false).url(), "deny", null);

    assertThat(back.toString()).startsWith(redirect + "?");
    assertThat(back.getQuery()).contains("error=access_denied");
    assertThat(basic.callback(back).getState()).isEqualTo("no thanks");
    assertThat(events()).isEmpty();
  }

  @Test
  void theWorkspacePolicyCanAllowOnlyApprovedAppsOrNone() {
    setPolicy(InstallPolicy.NONE);
    URI none = URI.create(Visitor.location(mia().get(basic.link("p1", false).url())));
    assertThat(none.toString()).startsWith(redirect + "?");
    assertThat(none.getQuery()).contains("error=access_denied").contains("state=p1");

    setPolicy(InstallPolicy.APPROVED);
    URI notApproved = URI.create(Visitor.location(mia().get(basic.link("p2", false).url())));
    assertThat(notApproved.getQuery()).contains("error=access_denied").contains("state=p2");

    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/oauth",
            adminToken,
            "{\"redirect_uris\": [\"" + redirect + "\"], \"approved\": true}"));
    assertThat(mia().get(basic.link("p3", false).url()).statusCode()).isEqualTo(200);
  }

  void setPolicy(InstallPolicy policy) {
    store.transaction(
        tx -> {
          tx.store(OAuthStore.class).setPolicy(1, policy);
          return null;
        });
  }

  @Test
  void anUnknownClientOrUnregisteredRedirectUriIsAPageNeverARedirect() {
    String query = "/oauth/authorize?response_type=code&scope=user:read&state=s";
    for (Visitor person : List.of(mia(), new Visitor(server.url()))) {
      HttpResponse<String> otherUri =
          person.get(query + "&client_id=gh&redirect_uri=" + encode("https://evil.example.com/cb"));
      assertThat(otherUri.statusCode()).isEqualTo(400);
      assertThat(otherUri.headers().firstValue("Location")).isEmpty();
      assertThat(otherUri.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/html");
      assertThat(otherUri.body()).contains("redirect_uri is not one the app registered");

      HttpResponse<String> unknown =
          person.get(query + "&client_id=nobody&redirect_uri=" + encode(redirect));
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(unknown.headers().firstValue("Location")).isEmpty();
      assertThat(unknown.body()).contains("client_id names no app");

      HttpResponse<String> none = person.get(query + "&client_id=gh");
      assertThat(none.statusCode()).isEqualTo(400);
      assertThat(none.body()).contains("redirect_uri is required");
    }
    // The outsider's own workspace has no app "gh": for them the client is unknown.
  }

  @Test
  void aRequestWithoutScopeOrWithAnUnknownOneGoesBackAsInvalidScope() {
    String base =
        "/oauth/authorize?response_type=code&client_id=gh&state=q&redirect_uri=" + encode(redirect);
    URI none = URI.create(Visitor.location(mia().get(base)));
    assertThat(none.getQuery()).contains("error=invalid_scope").contains("state=q");
    URI unknown = URI.create(Visitor.location(mia().get(base + "&scope=user:read+admin")));
    assertThat(unknown.getQuery()).contains("error=invalid_scope").contains("admin");
    URI token =
        URI.create(
            Visitor.location(
                mia()
                    .get(
                        base.replace("response_type=code", "response_type=token")
                            + "&scope=user:read")));
    assertThat(token.getQuery()).contains("error=unsupported_response_type");
  }

  @Test
  void aTokenStopsWhenItsPersonIsDeactivatedOrLeavesTheFlow() {
    OAuth2AccessToken tokens = authorised(basic);
    assertThat(
            http.send("DELETE", "/api/v1/flows/" + flowId + "/members/" + memberId, adminToken)
                .status())
        .isEqualTo(204);
    assertThat(http.get("/api/v1/me", tokens.getAccessToken()).status()).isEqualTo(401);
    assertThat(OAuthApp.refusal(() -> basic.refresh(tokens.getRefreshToken())))
        .isEqualTo("invalid_grant");

    assertThat(
            http.send("PUT", "/api/v1/flows/" + flowId + "/members/" + memberId, adminToken)
                .status())
        .isEqualTo(204);
    OAuth2AccessToken again = authorised(basic);
    ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));
    assertThat(http.get("/api/v1/me", again.getAccessToken()).status()).isEqualTo(401);
    assertThat(OAuthApp.refusal(() -> basic.refresh(again.getRefreshToken())))
        .isEqualTo("invalid_grant");
  }

  @Test
  void adminsSetExactRedirectUrisAndBadOnesAreNamedByTheirPlace() {
    Http.Answer bad =
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/oauth",
            adminToken,
            """
            {"redirect_uris": ["https://ok.example.com/cb", "https://*.example.com/cb",
                               "https://app.example.com/cb#x", "ftp://app.example.com/",
                               "http://app.example.com/cb", 5, "https://ok.example.com/cb"],
             "install_url": "javascript:alert(1)", "public_client": "yes"}
            """);
    assertThat(bad.status()).isEqualTo(400);
    JsonNode errors = bad.json().get("errors");
    assertThat(errors.get("redirect_uris[5]").get(0).asText()).isEqualTo("must be a string");
    assertThat(errors.get("public_client").get(0).asText()).isEqualTo("must be true or false");

    Http.Answer uris =
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/oauth",
            adminToken,
            """
            {"redirect_uris": ["https://ok.example.com/cb", "https://*.example.com/cb",
                               "https://app.example.com/cb#x", "ftp://app.example.com/",
                               "http://app.example.com/cb", "http://[::1]:9000/cb",
                               "https://ok.example.com/cb"],
             "install_url": "javascript:alert(1)"}
            """);
    assertThat(uris.status()).isEqualTo(400);
    JsonNode reasons = uris.json().get("errors");
    assertThat(reasons.has("redirect_uris[0]")).isFalse();
    assertThat(reasons.get("redirect_uris[1]").get(0).asText()).contains("wildcards");
    assertThat(reasons.get("redirect_uris[2]").get(0).asText()).contains("fragment");
    assertThat(reasons.get("redirect_uris[3]").get(0).asText()).contains("https");
    assertThat(reasons.get("redirect_uris[4]").get(0).asText()).contains("https");
    assertThat(reasons.has("redirect_uris[5]")).as("loopback on a --dev server").isFalse();
    assertThat(reasons.get("redirect_uris[6]").get(0).asText()).isEqualTo("is listed twice");
    assertThat(reasons.get("install_url").get(0).asText()).contains("https");
    // Nothing of it was kept.
    assertThat(ok(http.get("/api/v1/apps/" + appId + "/oauth", adminToken)).get("redirect_uris"))
        .hasSize(2);

    assertThat(http.send("PUT", "/api/v1/apps/" + appId + "/oauth", memberToken, "{}").status())
        .isEqualTo(403);
    assertThat(http.get("/api/v1/apps/" + appId + "/oauth", memberToken).status()).isEqualTo(403);
    assertThat(
            http.send("PUT", "/api/v1/apps/9999/oauth", adminToken, "{\"redirect_uris\": []}")
                .status())
        .isEqualTo(404);

    JsonNode saved =
        ok(
            http.send(
                "PUT",
                "/api/v1/apps/" + appId + "/oauth",
                adminToken,
                """
                {"redirect_uris": ["https://app.example.com/cb?team=1"], "public_client": true,
                 "approved": true, "description": "  Builds.  ",
                 "install_url": "https://app.example.com/install#top"}
                """));
    JsonNode shown = ok(http.get("/api/v1/apps/" + appId, adminToken)).get("oauth");
    assertThat(shown).isEqualTo(saved);
    assertThat(saved.get("redirect_uris").get(0).asText())
        .isEqualTo("https://app.example.com/cb?team=1");
    assertThat(saved.get("public_client").asBoolean()).isTrue();
    assertThat(saved.get("approved").asBoolean()).isTrue();
    assertThat(saved.get("description").asText()).isEqualTo("Builds.");
    assertThat(saved.get("install_url").asText()).isEqualTo("https://app.example.com/install#top");
  }

  static String basicAuth(String id, String secret) {
    // RFC 6749 §2.3.1: each part form-encoded, then Basic.
    String pair = encode(id) + ":" + encode(secret);
    return "Basic "
        + java.util.Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
