package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.backchannel.core.workspace.Scope;
import org.backchannel.server.GrantRows.Made;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;

/**
 * The apps people authorised, in a real Chromium against the real server: a person revokes one on
 * their Authorized apps page, an admin sets the install policy and revokes a grant, and the app
 * directory sends people to an app's install link.
 */
final class GrantsBrowserTest extends BrowserFixture {

  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name).setExact(true);
  }

  Made miasGrant() {
    long ws = ok(http.get("/api/v1/me", adminToken)).get("workspace_id").asLong();
    return GrantRows.grant(
        store,
        clock.instant(),
        ws,
        appId,
        memberId,
        flowId,
        Set.of(Scope.FLOW_POST, Scope.USER_READ));
  }

  Page signedIn(String email) {
    Page page = newPage();
    choosePassword(page, email);
    assertThat(page.getByRole(AriaRole.BUTTON, named("Sign out"))).isVisible();
    return page;
  }

  /** Answers every confirmation with {@code accept}, keeping what it asked. */
  static List<String> confirming(Page page, boolean[] accept) {
    List<String> asked = new ArrayList<>();
    page.onDialog(
        d -> {
          asked.add(d.message());
          if (accept[0]) {
            d.accept();
          } else {
            d.dismiss();
          }
        });
    return asked;
  }

  @Test
  void aPersonSeesTheAppsTheyAuthorisedAndRevokesOne() {
    Made made = miasGrant();
    Page page = signedIn("mia@example.com");

    // The flow's page says which apps post there and who added them.
    page.navigate("/ui/flows/" + flowId);
    var inFlow =
        page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Apps in this flow"));
    assertThat(inFlow)
        .containsText("GitHub posts as “GitHub for " + memberId + "” · added by Mia Member");
    assertThat(inFlow).containsText("GitHub posts as “GitHub” · added by an admin");

    page.getByRole(AriaRole.LINK, named("Authorized apps")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Authorized apps"))).isVisible();
    var row = page.locator("#grant-" + made.id());
    assertThat(row).containsText("GitHub");
    assertThat(row).containsText(Scope.FLOW_POST.words());
    assertThat(row).containsText(Scope.USER_READ.words());
    assertThat(
            row.getByRole(
                AriaRole.LINK,
                new com.microsoft.playwright.Locator.GetByRoleOptions().setName("dev")))
        .isVisible();
    assertThat(row).containsText("2026-11-23 10:00:00 UTC");

    // Saying no to the question changes nothing.
    boolean[] accept = {false};
    List<String> asked = confirming(page, accept);
    page.getByRole(AriaRole.BUTTON, named("Revoke GitHub")).click();
    assertThat(row).isVisible();
    assertThat(asked).hasSize(1);
    assertThat(asked.get(0)).startsWith("Revoke GitHub? It stops acting for you at once");
    assertThat(http.get("/api/v1/me", made.accessToken()).status()).isEqualTo(200);

    accept[0] = true;
    page.getByRole(AriaRole.BUTTON, named("Revoke GitHub")).click();
    assertThat(page.getByRole(AriaRole.STATUS))
        .hasText("Revoked: the app can no longer act for you, and its sources stopped posting.");
    assertThat(page.locator("#grant-" + made.id())).hasCount(0);
    assertThat(page.getByText("You have not authorised any app.")).isVisible();
    assertThat(http.get("/api/v1/me", made.accessToken()).status()).isEqualTo(401);
    assertThat(
            http.post("/messages", null, activity("x:1").replace(flowToken, made.flowToken()))
                .status())
        .isEqualTo(401);

    page.navigate("/ui/flows/" + flowId);
    assertThat(inFlow).not().containsText("Mia Member");
  }

  @Test
  void anAdminSetsThePolicyRevokesAGrantAndReadsTheRecord() {
    Made made = miasGrant();
    clock.advance(Duration.ofMinutes(5));
    Page page = signedIn("ada@example.com");
    page.getByRole(AriaRole.LINK, named("App installs")).click();
    assertThat(page.getByRole(AriaRole.RADIO, named("Any app"))).isChecked();

    page.getByRole(AriaRole.RADIO, named("Approved apps only")).check();
    page.getByRole(AriaRole.BUTTON, named("Save policy")).click();
    assertThat(page.getByRole(AriaRole.STATUS))
        .hasText("Install policy saved: Approved apps only.");
    assertThat(page.getByRole(AriaRole.RADIO, named("Approved apps only"))).isChecked();
    assertThat(ok(http.get("/api/v1/workspace", memberToken)).get("install_policy").asText())
        .isEqualTo("approved");

    var row = page.locator("#grant-" + made.id());
    assertThat(row).containsText("Mia Member");
    assertThat(row).containsText("flow:post");
    assertThat(row).containsText("live");
    boolean[] accept = {true};
    List<String> asked = confirming(page, accept);
    page.getByRole(AriaRole.BUTTON, named("Revoke GitHub for Mia Member")).click();
    assertThat(page.getByRole(AriaRole.STATUS))
        .hasText("Grant revoked: its tokens and sources stopped at once.");
    assertThat(asked)
        .containsExactly("Revoke GitHub for Mia Member? Its tokens and sources stop at once.");
    assertThat(row).containsText("revoked 2026-11-23 10:05:00 UTC by Ada Admin");
    assertThat(row.getByRole(AriaRole.BUTTON)).hasCount(0);
    assertThat(http.get("/api/v1/me", made.accessToken()).status()).isEqualTo(401);

    var record = page.locator("table.record tbody tr");
    assertThat(record).hasCount(2);
    assertThat(record.first().locator("td"))
        .containsText(
            new String[] {
              "2026-11-23 10:05:00 UTC", "Ada Admin", "revoked", "GitHub", "Mia Member", "dev"
            });
    assertThat(record.nth(1).locator("td"))
        .containsText(
            new String[] {
              "2026-11-23 10:00:00 UTC", "Mia Member", "authorised", "GitHub", "Mia Member", "dev"
            });
  }

  @Test
  void theDirectoryShowsApprovedAppsAndAddToFlowGoesToTheAppsInstallLink() {
    long jira = ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Jira\"}")).get("id").asLong();
    long asana =
        ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Asana\"}")).get("id").asLong();
    String install = app.url("/install").toString();
    GrantRows.client(store, clock.instant(), appId, true, "Pull requests and builds", install);
    GrantRows.client(store, clock.instant(), jira, true, "Issues", null);
    GrantRows.client(
        store, clock.instant(), asana, false, "Tasks", "https://asana.example/install");
    app.answer(
        new Answer(
            200,
            java.util.Map.of("Content-Type", "text/html; charset=utf-8"),
            "<title>GitHub app</title><h1>Add GitHub to Backchannel</h1>"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            false));

    Page page = signedIn("mia@example.com");
    page.getByRole(AriaRole.LINK, named("App directory")).click();
    assertThat(page.locator(".listed-app h2")).hasText(new String[] {"GitHub", "Jira"});
    var github = page.locator("#listed-app-" + appId);
    assertThat(github).containsText("Pull requests and builds");
    var add = page.getByRole(AriaRole.LINK, named("Add to flow: GitHub"));
    assertThat(add).hasAttribute("href", install);
    assertThat(add).hasText("Add to flow");
    var noLink = page.locator("#listed-app-" + jira);
    assertThat(noLink).containsText("Ask the app's developer for its install link.");
    assertThat(noLink.getByRole(AriaRole.LINK)).hasCount(0);
    assertThat(page.getByText("Asana")).hasCount(0);

    add.click();
    page.waitForURL(install);
    assertThat(page.getByRole(AriaRole.HEADING, named("Add GitHub to Backchannel"))).isVisible();
    assertThat(app.take(Duration.ofSeconds(5)).path()).isEqualTo("/install");

    // With adding turned off, the directory says so and offers no link.
    ok(http.send("PATCH", "/api/v1/workspace", adminToken, "{\"install_policy\":\"none\"}"));
    page.navigate("/ui/apps/directory");
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("turned off");
    assertThat(page.locator(".listed-app")).hasCount(2);
    assertThat(page.getByRole(AriaRole.LINK, named("Add to flow: GitHub"))).hasCount(0);
  }

  @Test
  void membersSeeNeitherTheInstallsPageNorItsLink() {
    Page page = signedIn("mia@example.com");
    assertThat(page.getByRole(AriaRole.LINK, named("App installs"))).hasCount(0);
    assertThat(page.navigate("/ui/apps/installs").status()).isEqualTo(403);
  }
}
