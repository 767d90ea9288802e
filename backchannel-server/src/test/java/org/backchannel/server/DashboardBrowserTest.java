package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.time.Duration;
import java.util.List;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.store.Tx;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.sdk.VerificationException;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.RecordingReceiver.Recorded;
import org.junit.jupiter.api.Test;

/** The developer dashboard and people pages in a real Chromium against the real server. */
final class DashboardBrowserTest extends BrowserFixture {

  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name).setExact(true);
  }

  static Page.GetByLabelOptions exact() {
    return new Page.GetByLabelOptions().setExact(true);
  }

  Page signedInAdmin() {
    Page page = newPage();
    choosePassword(page, "ada@example.com");
    assertThat(page.getByRole(AriaRole.BUTTON, named("Sign out"))).isVisible();
    return page;
  }

  /** Publishes a native event to an app's endpoints and sends what is due. */
  void publish(long app, String type) {
    ok(
        http.post(
            "/api/v1/apps/" + app + "/events",
            adminToken,
            "{\"type\":\"" + type + "\",\"data\":{}}"));
    server.backchannel().worker().drain();
  }

  @Test
  void aNewAppsSecretIsShownOnceThenRotatedBothSignUntilItIsActivated() {
    Page page = signedInAdmin();
    page.getByRole(AriaRole.LINK, named("Apps")).click();
    page.getByLabel("Name").fill("Deploys");
    page.getByRole(AriaRole.BUTTON, named("Register app")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Deploys"))).isVisible();
    String first = page.getByRole(AriaRole.TEXTBOX, named("Signing secret")).inputValue();
    assertThat(first).isNotBlank();
    long newApp = Long.parseLong(page.url().replaceAll(".*/ui/apps/(\\d+).*", "$1"));

    page.reload();
    assertThat(page.getByText("The secret was shown once and is not shown again.")).isVisible();
    assertThat(page.locator("#once-value")).hasCount(0);
    assertThat(page.locator("#secret-state")).hasText("set · shown only when made");
    assertThat(page.content()).doesNotContain(first);
    page.navigate("/ui/apps/" + newApp);
    assertThat(page.content()).doesNotContain(first);

    assertThat(page.getByRole(AriaRole.BUTTON, named("Activate new secret"))).hasCount(0);
    page.getByRole(AriaRole.BUTTON, named("Rotate secret")).click();
    String second = page.getByRole(AriaRole.TEXTBOX, named("New signing secret")).inputValue();
    assertThat(second).isNotBlank().isNotEqualTo(first);
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("It is pending");
    page.reload();
    assertThat(page.locator("#once-value")).hasCount(0);
    assertThat(page.locator("#secret-state"))
        .hasText("set · shown only when made · a new one pending since 2026-11-23 10:00:00 UTC");

    // an endpoint added on the page gets deliveries signed with both secrets while one is pending
    page.getByLabel("Endpoint URL").fill(app.url("/deploys").toString());
    page.getByRole(AriaRole.BUTTON, named("Add endpoint")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).hasText("Endpoint saved.");
    assertThat(page.locator(".endpoints")).containsText(app.url("/deploys").toString());
    app.answer(Answer.status(204));
    publish(newApp, "deploy.finished");
    Recorded call = app.take(Duration.ofSeconds(5));
    for (String secret : List.of(first, second)) {
      assertThat(verifies(call, secret)).as("pending: both sign").isTrue();
    }

    // activating makes the new one the only one
    page.getByLabel("Old secret also signs Standard Webhooks headers for").selectOption("0");
    page.getByRole(AriaRole.BUTTON, named("Activate new secret")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("New secret activated");
    assertThat(page.locator("#secret-state")).hasText("set · shown only when made");
    assertThat(page.getByRole(AriaRole.BUTTON, named("Activate new secret"))).hasCount(0);
    publish(newApp, "deploy.finished");
    Recorded after = app.take(Duration.ofSeconds(5));
    assertThat(verifies(after, second)).isTrue();
    assertThat(verifies(after, first)).as("the old one stopped").isFalse();
  }

  boolean verifies(Recorded call, String secret) {
    try {
      StandardWebhooks.verify(
          call::header,
          call.body(),
          List.of(AppSecret.of(secret)),
          clock.instant(),
          StandardWebhooks.DEFAULT_TOLERANCE);
      return true;
    } catch (VerificationException e) {
      return false;
    }
  }

  @Test
  void aFlowTokenIsShownOnceAndARevokedSourceStopsPosting() {
    Page page = signedInAdmin();
    page.getByRole(AriaRole.LINK, named("Sources")).click();
    page.getByLabel("App").selectOption("GitHub");
    page.getByLabel("Flow").selectOption("dev");
    page.getByLabel("Name (optional)").fill("CI builds");
    page.getByRole(AriaRole.BUTTON, named("Add source")).click();
    String token = page.getByRole(AriaRole.TEXTBOX, named("Flow token")).inputValue();
    assertThat(http.post("/messages", null, activity("x:1").replace(flowToken, token)).status())
        .isEqualTo(201);
    page.reload();
    assertThat(page.locator("#once-value")).hasCount(0);
    assertThat(page.content()).doesNotContain(token);

    page.getByRole(AriaRole.BUTTON, named("Revoke CI builds in dev")).click();
    assertThat(page.getByRole(AriaRole.STATUS))
        .hasText("Source revoked: its flow token no longer works.");
    assertThat(http.post("/messages", null, activity("x:2").replace(flowToken, token)).status())
        .isEqualTo(401);
  }

  @Test
  void aDisabledEndpointShowsWhyAndEnablingItSendsWhatWaited() {
    long endpoint =
        ok(http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\":\"" + app.url("/events") + "\"}"))
            .get("id")
            .asLong();
    store.transaction(
        (Tx t) -> {
          t.store(DeliveryStore.class)
              .disableEndpoint(endpoint, "failed for 5 days without a success", clock.instant());
          return null;
        });
    app.answer(Answer.status(204));
    publish(appId, "thread.updated");
    assertThat(app.requests()).isEmpty();

    Page page = signedInAdmin();
    // every page an admin opens says so at the top, until the endpoint is enabled again
    assertThat(page.locator("#disabled-endpoints"))
        .containsText("Endpoint " + endpoint + " of GitHub");
    page.getByRole(AriaRole.LINK, named("Review endpoints")).click();
    var row = page.locator("#endpoint-" + endpoint);
    assertThat(row).containsText("disabled");
    assertThat(row).containsText("failed for 5 days without a success");
    // by keyboard: the button takes focus and Enter presses it
    page.getByRole(AriaRole.BUTTON, named("Enable endpoint " + endpoint + " again")).focus();
    page.keyboard().press("Enter");
    assertThat(page.getByRole(AriaRole.STATUS))
        .hasText("Endpoint " + endpoint + " enabled: its waiting deliveries resume.");
    assertThat(row.locator(".state")).hasText("enabled");
    assertThat(row.getByRole(AriaRole.BUTTON)).hasCount(0);
    assertThat(page.locator("#disabled-endpoints")).hasCount(0);

    server.backchannel().worker().drain();
    assertThat(app.take(Duration.ofSeconds(5)).bodyText()).contains("thread.updated");
  }

  @Test
  void deliveriesFilterAndTheChartCountsThem() {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/events") + "\"}"));
    app.answer(Answer.status(204));
    publish(appId, "build.finished"); // 10:00
    publish(appId, "build.finished");
    clock.advance(Duration.ofHours(2));
    app.answer(Answer.status(500));
    publish(appId, "deploy.failed"); // 12:00, fails at once (one attempt)

    Page page = signedInAdmin();
    page.getByRole(AriaRole.LINK, named("Deliveries")).click();
    var table = page.locator("#chart-table");
    assertThat(table.locator("tbody tr")).hasCount(24);
    assertThat(
            table
                .locator("tr", new Locator.LocatorOptions().setHasText("2026-11-23 10:00 UTC"))
                .locator("td"))
        .hasText(new String[] {"2", "0"});
    assertThat(
            table
                .locator("tr", new Locator.LocatorOptions().setHasText("2026-11-23 12:00 UTC"))
                .locator("td"))
        .hasText(new String[] {"1", "1"});
    assertThat(
            table
                .locator("tr", new Locator.LocatorOptions().setHasText("2026-11-23 11:00 UTC"))
                .locator("td"))
        .hasText(new String[] {"0", "0"});
    assertThat(page.locator("svg.chart"))
        .hasAttribute(
            "aria-label", "Deliveries per hour over the last 24 hours: 3 in all, 1 failed.");
    assertThat(page.locator("#chart-totals")).hasText("3 deliveries, 1 failed");

    assertThat(page.locator("#deliveries tbody tr")).hasCount(3);
    page.getByLabel("Event type").fill("deploy.failed");
    page.getByRole(AriaRole.BUTTON, named("Filter")).click();
    assertThat(page.locator("#deliveries tbody tr")).hasCount(1);
    assertThat(page.locator("#deliveries tbody tr")).containsText("failed");

    page.getByLabel("Event type").fill("");
    page.getByLabel("State").selectOption("succeeded");
    page.getByRole(AriaRole.BUTTON, named("Filter")).click();
    assertThat(page.locator("#deliveries tbody tr")).hasCount(2);

    page.getByLabel("State").selectOption("");
    page.getByLabel("Created from (UTC)").fill("2026-11-23T11:00");
    page.getByRole(AriaRole.BUTTON, named("Filter")).click();
    assertThat(page.locator("#deliveries tbody tr")).hasCount(1);
    assertThat(page.locator("#deliveries")).containsText("deploy.failed");
    assertThat(page.getByLabel("Created from (UTC)")).hasValue("2026-11-23T11:00");

    var bad = page.navigate("/ui/deliveries?since=yesterday");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(page.locator("main")).containsText("since must be a date and time");
  }

  @Test
  void anAdminAddsAPersonWhoCompletesTheirSetupLinkElsewhere() {
    Page page = signedInAdmin();
    page.getByRole(AriaRole.LINK, named("People")).click();
    page.getByLabel("Name").fill("Nia New");
    page.getByLabel("Email").fill("nia@example.com");
    page.getByLabel("Role", exact()).selectOption("member");
    page.getByRole(AriaRole.BUTTON, named("Add person")).click();
    String link = page.getByRole(AriaRole.TEXTBOX, named("Setup link for Nia New")).inputValue();
    assertThat(link).startsWith(server.url().toString().replaceAll("/$", "") + "/setup/");
    assertThat(page.locator("table.people")).containsText("nia@example.com");
    page.reload();
    assertThat(page.locator("#once-value")).hasCount(0);

    try (BrowserContext other =
        browser.newContext(new Browser.NewContextOptions().setViewportSize(375, 740))) {
      Page nia = other.newPage();
      nia.navigate(link);
      assertThat(nia.getByText("For Nia New (nia@example.com)")).isVisible();
      nia.getByLabel("Password (at least 10 characters)").fill(PASSWORD);
      nia.getByLabel("Repeat it").fill(PASSWORD);
      nia.getByRole(AriaRole.BUTTON, named("Set password and sign in")).click();
      assertThat(nia.getByText("You are not in any flow yet.")).isVisible();
      assertThat(nia.getByRole(AriaRole.LINK, named("People"))).hasCount(0);
      assertThat(nia.navigate(server.url().resolve("/ui/people").toString()).status())
          .isEqualTo(403);
    }
  }

  @Test
  void rolesChangeButTheLastAdminStays() {
    Page page = signedInAdmin();
    page.navigate("/ui/people");
    page.getByLabel("Role of Ada Admin", exact()).selectOption("member");
    page.getByRole(AriaRole.BUTTON, named("Change role of Ada Admin")).click();
    assertThat(page.locator("main"))
        .containsText("role cannot be member: the workspace needs an admin");

    page.navigate("/ui/people");
    page.getByLabel("Role of Mia Member", exact()).selectOption("admin");
    page.getByRole(AriaRole.BUTTON, named("Change role of Mia Member")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).hasText("Mia Member is now admin.");
    JsonNode mia = ok(http.get("/api/v1/me", memberToken));
    assertThat(mia.get("role").asText()).isEqualTo("admin");
  }

  @Test
  void aDeactivatedPersonIsSignedOutAtOnceAndCannotSignInUntilReactivated() {
    Page admin = signedInAdmin();
    try (BrowserContext other =
        browser.newContext(
            new Browser.NewContextOptions()
                .setBaseURL(server.url().toString())
                .setViewportSize(375, 740))) {
      Page mia = other.newPage();
      choosePassword(mia, "mia@example.com");
      assertThat(mia.getByRole(AriaRole.HEADING, named("dev"))).isVisible();

      admin.getByRole(AriaRole.LINK, named("People")).click();
      // No one deactivates themselves.
      assertThat(admin.getByRole(AriaRole.BUTTON, named("Deactivate Ada Admin"))).hasCount(0);
      var forged =
          context
              .request()
              .post(
                  server.url() + "/ui/people/" + memberId + "/deactivate",
                  RequestOptions.create().setForm(FormData.create().set("csrf", "forged")));
      assertThat(forged.status()).isEqualTo(403);
      mia.reload();
      assertThat(mia.getByRole(AriaRole.HEADING, named("dev"))).isVisible();

      admin.getByRole(AriaRole.BUTTON, named("Deactivate Mia Member")).click();
      assertThat(admin.getByRole(AriaRole.STATUS)).containsText("Mia Member is deactivated");
      Locator row = admin.locator("#person-" + memberId);
      assertThat(row).containsText("deactivated");
      assertThat(admin.getByRole(AriaRole.BUTTON, named("Reactivate Mia Member"))).isVisible();
      assertThat(admin.getByRole(AriaRole.BUTTON, named("New setup link for Mia Member")))
          .hasCount(0);
      assertThat(http.get("/api/v1/me", memberToken).status()).isEqualTo(401);

      // Her open page is signed out on its next request, and her password no longer opens it.
      mia.reload();
      assertThat(mia.getByRole(AriaRole.HEADING, named("Sign in to Backchannel"))).isVisible();
      mia.getByLabel("Email").fill("mia@example.com");
      mia.getByLabel("Password").fill(PASSWORD);
      mia.getByRole(AriaRole.BUTTON, named("Sign in")).click();
      assertThat(mia.getByRole(AriaRole.ALERT)).hasText("The email or password is not right.");

      admin.getByRole(AriaRole.BUTTON, named("Reactivate Mia Member")).click();
      assertThat(admin.getByRole(AriaRole.STATUS).last())
          .containsText("Mia Member can sign in again");
      String token =
          admin.getByRole(AriaRole.TEXTBOX, named("API token for Mia Member")).inputValue();
      assertThat(ok(http.get("/api/v1/me", token)).get("id").asLong()).isEqualTo(memberId);
      assertThat(admin.locator("#person-" + memberId)).not().containsText("deactivated");

      mia.getByLabel("Password").fill(PASSWORD);
      mia.getByRole(AriaRole.BUTTON, named("Sign in")).click();
      assertThat(mia.getByRole(AriaRole.HEADING, named("dev"))).isVisible();
    }
  }

  @Test
  void membersAreRefusedAndBadFormsNameTheField() {
    Page member = newPage();
    choosePassword(member, "mia@example.com");
    assertThat(member.getByRole(AriaRole.LINK, named("Apps"))).hasCount(0);
    for (String path :
        List.of("/ui/apps", "/ui/apps/" + appId, "/ui/sources", "/ui/endpoints", "/ui/people")) {
      assertThat(member.navigate(path).status()).as(path).isEqualTo(403);
    }
    member.navigate("/ui");
    String memberCsrf = member.locator("input[name=csrf]").first().inputValue();
    var refused =
        context
            .request()
            .post(
                server.url() + "/ui/apps",
                RequestOptions.create()
                    .setForm(FormData.create().set("csrf", memberCsrf).set("name", "Sneaky")));
    assertThat(refused.status()).isEqualTo(403);
    context.close();

    Page admin = signedInAdmin();
    admin.navigate("/ui/apps");
    String csrf = admin.locator("input[name=csrf]").first().inputValue();
    var noName =
        context
            .request()
            .post(
                server.url() + "/ui/apps",
                RequestOptions.create()
                    .setForm(FormData.create().set("csrf", csrf).set("name", "")));
    assertThat(noName.status()).isEqualTo(400);
    assertThat(noName.text()).contains("name is required");
    var forged =
        context
            .request()
            .post(
                server.url() + "/ui/apps",
                RequestOptions.create()
                    .setForm(FormData.create().set("csrf", "forged").set("name", "X")));
    assertThat(forged.status()).isEqualTo(403);
    var badRole =
        context
            .request()
            .post(
                server.url() + "/ui/people",
                RequestOptions.create()
                    .setForm(
                        FormData.create()
                            .set("csrf", csrf)
                            .set("name", "Z")
                            .set("email", "z@example.com")
                            .set("role", "owner")));
    assertThat(badRole.status()).isEqualTo(400);
    assertThat(badRole.text()).contains("role must be admin or member");
    assertThat(ok(http.get("/api/v1/users", adminToken)).toString())
        .doesNotContain("z@example.com");
    assertThat(ok(http.get("/api/v1/apps", adminToken)).toString()).doesNotContain("Sneaky");
  }
}
