package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuth2Authorization;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.SelectOption;
import java.net.URI;
import java.util.regex.Pattern;
import org.backchannel.core.Json;
import org.backchannel.core.accounts.WebAccounts;
import org.junit.jupiter.api.Test;

/**
 * The consent page in a real Chromium: a person who is not signed in follows an app's "Add to
 * Backchannel" link, signs in, sees the app and what it asks for in words, picks a flow, allows,
 * and lands on the app's redirect URI with a code the app (ScribeJava) exchanges.
 */
final class OAuthBrowserTest extends BrowserFixture {
  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name).setExact(true);
  }

  /** The app set up as a client, a second flow for Mia to choose, and her password. */
  OAuthApp client() {
    String redirect = app.url("/oauth/callback").toString();
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/oauth",
            adminToken,
            "{\"redirect_uris\": [\""
                + redirect
                + "\"], \"description\": \"Posts pull requests and builds to a flow.\"}"));
    WebAccounts accounts = new WebAccounts(store, clock);
    accounts.completeSetup(accounts.newSetupLink(1, "mia@example.com"), PASSWORD, PASSWORD);
    return new OAuthApp(server.url(), "gh", appSecret, redirect, OAuthApp.Auth.BASIC);
  }

  /** Follows the link signed out and signs in: the consent page. */
  static void signInThrough(Page page, String link) {
    page.navigate(link);
    assertThat(page.getByRole(AriaRole.HEADING, named("Sign in to Backchannel"))).isVisible();
    page.getByLabel("Email").fill("mia@example.com");
    page.getByLabel("Password").fill(PASSWORD);
    page.getByRole(AriaRole.BUTTON, named("Sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Allow GitHub to use Backchannel as you?")))
        .isVisible();
  }

  @Test
  void aPersonFollowsAnAppsLinkSignsInPicksAFlowAllowsAndLandsOnTheAppWithACode() {
    long ops =
        ok(http.post(
                "/api/v1/flows", adminToken, "{\"name\":\"ops\",\"members\":[" + memberId + "]}"))
            .get("id")
            .asLong();
    OAuthApp client = client();
    OAuthApp.Link link = client.link("st-42", true);
    Page page = newPage();

    signInThrough(page, link.url());

    assertThat(page.getByText("Posts pull requests and builds to a flow.")).isVisible();
    assertThat(page.locator(".scopes li"))
        .containsText(
            new String[] {
              "Post to the flow you pick, through a source it creates there",
              "See your name, email address and picture"
            });
    page.getByLabel("Flow it may use").selectOption(new SelectOption().setLabel("ops"));
    page.getByRole(AriaRole.BUTTON, named("Allow")).click();

    // (Playwright hands the pattern to the browser: no \\Q…\\E there.)
    assertThat(page)
        .hasURL(Pattern.compile("http://127\\.0\\.0\\.1:\\d+/oauth/callback\\?code=.*"));
    assertThat(page.url()).startsWith(client.redirectUri + "?code=");
    OAuth2Authorization back = client.callback(URI.create(page.url()));
    assertThat(back.getState()).isEqualTo("st-42");
    OAuth2AccessToken tokens = client.exchange(back.getCode(), link.verifier());
    JsonNode answer = Json.read(tokens.getRawResponse());
    assertThat(answer.get("flow_id").asLong()).isEqualTo(ops);
    assertThat(ok(http.get("/api/v1/me", tokens.getAccessToken())).get("email").asText())
        .isEqualTo("mia@example.com");
    assertThat(
            http.post(
                    "/api/v1/flows/" + ops + "/sources",
                    tokens.getAccessToken(),
                    "{\"name\":\"GH\"}")
                .status())
        .as("the grant reaches the flow picked on the page")
        .isEqualTo(201);
  }

  @Test
  void anAdminSetsTheRedirectUrisOnTheAppsPage() {
    Page page = newPage();
    choosePassword(page, "ada@example.com");
    page.navigate("/ui/apps/" + appId);
    page.getByLabel("Redirect URIs, one per line", new Page.GetByLabelOptions())
        .fill("https://gh.example.com/oauth/callback\n\n  https://gh.example.com/other  \n");
    page.getByLabel("Approved for this workspace's app directory").check();
    page.getByLabel("Description, shown to people when they authorise it").fill("Builds.");
    page.getByRole(AriaRole.BUTTON, named("Save OAuth settings")).click();

    assertThat(page.getByText("OAuth settings saved.")).isVisible();
    JsonNode saved = ok(http.get("/api/v1/apps/" + appId + "/oauth", adminToken));
    assertThat(saved.get("redirect_uris").toString())
        .isEqualTo("[\"https://gh.example.com/oauth/callback\",\"https://gh.example.com/other\"]");
    assertThat(saved.get("approved").asBoolean()).isTrue();
    assertThat(saved.get("public_client").asBoolean()).isFalse();
    assertThat(saved.get("description").asText()).isEqualTo("Builds.");
    assertThat(page.getByLabel("Approved for this workspace's app directory")).isChecked();

    page.getByLabel("Redirect URIs, one per line", new Page.GetByLabelOptions())
        .fill("https://gh.example.com/ok\nhttps://*.example.com/cb");
    page.getByRole(AriaRole.BUTTON, named("Save OAuth settings")).click();
    assertThat(page.getByText("redirect_uris[1] must be an exact URI")).isVisible();
  }

  @Test
  void denyingLandsOnTheAppWithAccessDenied() {
    OAuthApp client = client();
    Page page = newPage();
    signInThrough(page, client.link("st-43", false).url());

    page.getByRole(AriaRole.BUTTON, named("Deny")).click();

    assertThat(page).hasURL(Pattern.compile(".*error=access_denied.*"));
    assertThat(client.callback(URI.create(page.url())).getState()).isEqualTo("st-43");
  }
}
