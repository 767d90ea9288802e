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
    page.navigate("/ui/deliveries");
    shot(page, "deliveries.png");
    page.navigate("/ui/deliveries/1");
    shot(page, "delivery.png");
    page.setViewportSize(390, 844);
    page.navigate("/ui/flows/" + flowId);
    shot(page, "workspace-phone.png");
  }

  private static void shot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(DIR.resolve(name)).setFullPage(true));
  }
}
