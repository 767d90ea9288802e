package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;

/**
 * Regenerates the screenshots in {@code docs/screenshots/}. Not part of the normal suite (its name
 * does not end in Test); run it with {@code ./mvnw -B -pl backchannel-server -am test
 * -Dtest=Screenshots -Dsurefire.failIfNoSpecifiedTests=false}.
 */
final class Screenshots extends BrowserFixture {
  static final Path DIR = Path.of("..", "docs", "screenshots");

  @Test
  void mainPages() {
    postActivity();
    ok(
        http.post(
            "/messages",
            null,
            activity("github:component:pr:43")
                .replace("Fix bug in thread API", "Add dark mode")
                .replace(
                    "\"green\", \"value\": \"open\"", "\"purple\", \"value\": \"in review\"")));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/events") + "\"}"));
    app.answer(Answer.status(500));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events",
            adminToken,
            "{\"type\":\"thread.updated\",\"data\":{\"thread_id\":1}}"));
    server.backchannel().worker().drain();
    app.answer(Answer.status(204));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events",
            adminToken,
            "{\"type\":\"thread.updated\",\"data\":{\"thread_id\":2}}"));
    server.backchannel().worker().drain();

    Page page = newPage(1280, 860);
    page.navigate("/login");
    shot(page, "sign-in.png");
    choosePassword(page, "ada@example.com");
    app.answer(Answer.status(500));
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Assign to me"))
        .first()
        .click();
    assertThat(page.locator("[data-outcome=failed]")).isVisible();
    shot(page, "workspace.png");
    page.navigate("/ui/deliveries/1");
    shot(page, "delivery.png");
    page.setViewportSize(390, 844);
    page.navigate("/ui/flows/" + flowId);
    shot(page, "workspace-phone.png");
  }

  private static void shot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(DIR.resolve(name)).setFullPage(true));
  }

  @Test
  void dashboardPages() {
    long endpoint =
        ok(http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\":\"" + app.url("/events") + "\"}"))
            .get("id")
            .asLong();
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/audit") + "\",\"event_types\":[\"deploy.failed\"]}"));
    // a day of deliveries, a few failing, so the chart has something to show
    clock.set(NOW.minus(java.time.Duration.ofHours(22)));
    for (int hour = 0; hour < 23; hour++) {
      int n = (hour * 7) % 5 + (hour % 6 == 2 ? 4 : 1);
      for (int i = 0; i < n; i++) {
        app.answer(Answer.status(i == 0 && hour % 4 == 1 ? 500 : 204));
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\""
                    + (i % 3 == 0 ? "build.finished" : "thread.updated")
                    + "\",\"data\":{}}"));
        server.backchannel().worker().drain();
      }
      clock.advance(java.time.Duration.ofHours(1));
    }
    store.transaction(
        (org.backchannel.core.store.Tx t) -> {
          t.disableEndpoint(endpoint, "failed for 5 days without a success", clock.instant());
          return null;
        });

    Page page = newPage(1280, 860);
    choosePassword(page, "ada@example.com");
    page.navigate("/ui/apps");
    shot(page, "apps.png");
    page.getByLabel("Name").fill("Deploys");
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Register app"))
        .click();
    assertThat(page.locator("#once-value")).isVisible();
    shot(page, "app-secret-once.png");
    page.navigate("/ui/apps/" + appId);
    shot(page, "app.png");
    page.navigate("/ui/sources");
    shot(page, "sources.png");
    page.navigate("/ui/endpoints");
    shot(page, "endpoints.png");
    page.navigate("/ui/deliveries");
    shot(page, "deliveries.png");
    page.navigate("/ui/people");
    page.getByLabel("Name").fill("Nia New");
    page.getByLabel("Email").fill("nia@example.com");
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Add person"))
        .click();
    assertThat(page.locator("#once-value")).isVisible();
    shot(page, "people.png");
    page.setViewportSize(375, 812);
    page.navigate("/ui/deliveries");
    // the top of the page: the chart and the filters (the whole list would be very long)
    page.screenshot(
        new Page.ScreenshotOptions()
            .setPath(DIR.resolve("deliveries-phone.png"))
            .setFullPage(false));
    page.navigate("/ui/endpoints");
    shot(page, "endpoints-phone.png");
  }
}
