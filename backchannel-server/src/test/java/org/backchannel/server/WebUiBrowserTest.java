package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.util.Map;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;

/** The web UI in a real Chromium against the real server, store and a real app receiver. */
final class WebUiBrowserTest extends BrowserFixture {

  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name);
  }

  @Test
  void aOneTimeLinkSetsThePasswordThenTheAdminSignsOutAndInAgain() {
    Page page = newPage();
    String link = setupLink("ada@example.com");
    page.navigate(link);
    assertThat(page.getByText("For Ada Admin (ada@example.com)")).isVisible();
    page.getByLabel("Password (at least 10 characters)").fill(PASSWORD);
    page.getByLabel("Repeat it").fill(PASSWORD);
    page.getByRole(AriaRole.BUTTON, named("Set password and sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("dev"))).isVisible();

    page.getByRole(AriaRole.BUTTON, named("Sign out")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Sign in to Backchannel"))).isVisible();
    page.navigate(link);
    assertThat(page.getByText("This setup link has been used or has expired")).isVisible();

    page.navigate("/login");
    page.getByLabel("Email").fill("ada@example.com");
    page.getByLabel("Password").fill("not the password");
    page.getByRole(AriaRole.BUTTON, named("Sign in")).click();
    assertThat(page.getByRole(AriaRole.ALERT)).hasText("The email or password is not right.");
    page.getByLabel("Password").fill(PASSWORD);
    page.getByRole(AriaRole.BUTTON, named("Sign in")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("dev"))).isVisible();
    assertThat(page.url()).endsWith("/ui/flows/" + flowId);
  }

  @Test
  void pressingAnUpdateActionShowsDoneFailedOrAuthenticate() {
    long thread = postActivity();
    Page page = newPage();
    choosePassword(page, "mia@example.com");
    assertThat(page.getByRole(AriaRole.HEADING, named("Fix bug in thread API"))).isVisible();
    assertThat(page.locator(".status-green")).hasText("open");
    assertThat(page.getByText("flowdock/component")).isVisible();
    assertThat(page.getByRole(AriaRole.LINK, named("Open diff")))
        .hasAttribute("href", "https://github.com/flowdock/component/pull/42/files");

    app.answer(Answer.status(204));
    page.getByRole(AriaRole.BUTTON, named("Assign to me")).click();
    assertThat(page.locator("[data-outcome=done]"))
        .hasText("“Assign to me” on “Fix bug in thread API”: done.");
    var call = app.take(java.time.Duration.ofSeconds(5));
    assertThat(call.bodyText()).contains("\"agent\"");

    app.answer(Answer.status(500));
    page.getByRole(AriaRole.BUTTON, named("Assign to me")).click();
    assertThat(page.locator("[data-outcome=failed]")).containsText("failed (");
    assertThat(page.locator("[data-outcome=failed]")).containsText("500");

    app.answer(
        Answer.status(401)
            .withHeader("WWW-Authenticate", "Flowdock-Token url=https://auth.example.com/login"));
    page.getByRole(AriaRole.BUTTON, named("Assign to me")).click();
    assertThat(page.getByRole(AriaRole.LINK, named("Authenticate")))
        .hasAttribute("href", "https://auth.example.com/login");
    assertThat(thread).isPositive();
  }

  @Test
  void aFormWithoutTheSessionsCsrfTokenIsRefused() {
    long thread = postActivity();
    Page page = newPage();
    choosePassword(page, "mia@example.com");
    var answer =
        context
            .request()
            .post(
                server.url() + "/ui/threads/" + thread + "/actions/0",
                RequestOptions.create().setForm(FormData.create().set("csrf", "forged")));
    assertThat(answer.status()).isEqualTo(403);
    assertThat(app.requests()).isEmpty();
    var signOut =
        context
            .request()
            .post(
                server.url() + "/logout",
                RequestOptions.create().setForm(FormData.create().set("csrf", "forged")));
    assertThat(signOut.status()).isEqualTo(403);
    page.reload();
    assertThat(page.getByRole(AriaRole.BUTTON, named("Sign out"))).isVisible();
  }

  @Test
  void threadsAppearLiveAndAppTextIsShownAsText() {
    Page page = newPage();
    choosePassword(page, "mia@example.com");
    assertThat(page.getByText("No threads yet")).isVisible();

    ok(
        http.post(
            "/messages",
            null,
            activity("x:1")
                .replace("Fix bug in thread API", "<img src=x onerror=alert(1)> Live one")));
    assertThat(page.getByRole(AriaRole.HEADING, named("<img src=x onerror=alert(1)> Live one")))
        .isVisible();
    assertThat(page.locator("#threads img")).hasCount(0);
  }

  @Test
  void anAdminFindsAFailedDeliveryAndReplaysIt() {
    JsonNode endpoint =
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\":\"" + app.url("/events") + "\"}"));
    assertThat(endpoint.get("id").asLong()).isPositive();
    app.answer(Answer.status(500));
    long id =
        ok(http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"thread.updated\",\"data\":{}}"))
            .get("deliveries")
            .get(0)
            .get("id")
            .asLong();
    server.backchannel().worker().drain();

    Page page = newPage();
    choosePassword(page, "ada@example.com");
    page.getByRole(AriaRole.LINK, named("Deliveries")).click();
    page.getByLabel("State").selectOption("failed");
    page.getByLabel("App").selectOption("GitHub");
    page.getByRole(AriaRole.BUTTON, named("Filter")).click();
    page.getByRole(AriaRole.LINK, named("#" + id)).click();
    assertThat(page.locator(".state")).hasText("failed");
    assertThat(page.locator(".attempt summary")).containsText("HTTP 500");
    assertThat(page.locator(".attempt")).containsText("webhook-signature");
    assertThat(page.locator(".attempt")).containsText("[redacted]");

    app.answer(Answer.status(204));
    page.getByRole(AriaRole.BUTTON, named("Replay")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).hasText("Queued to be sent again.");
    server.backchannel().worker().drain();
    page.reload();
    assertThat(page.locator(".state")).hasText("succeeded");
  }

  @Test
  void aMemberCannotOpenTheDeliveriesPage() {
    Page page = newPage();
    choosePassword(page, "mia@example.com");
    assertThat(page.getByRole(AriaRole.LINK, named("Deliveries"))).hasCount(0);
    var answer = page.navigate("/ui/deliveries");
    assertThat(answer.status()).isEqualTo(403);
  }

  @Test
  void pagesNeedASignIn() {
    Page page = newPage();
    page.navigate("/ui/flows/" + flowId);
    assertThat(page.getByRole(AriaRole.HEADING, named("Sign in to Backchannel"))).isVisible();
  }

  @Test
  void aServerWithALiveStreamOpenStopsPromptly() {
    Page page = newPage();
    // The page signing in lands on opens the live stream; waiting for it here, rather than
    // reloading after the click, leaves no navigation racing another.
    page.waitForResponse(
        r -> r.url().endsWith("/events"), () -> choosePassword(page, "mia@example.com"));
    long start = System.nanoTime();
    server.close();
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(5));
    Map<String, String> settings = Config.defaults();
    settings.put("port", "0");
    settings.put("secret_key", secretKey);
    settings.put("worker", "false");
    server =
        BackchannelServer.start(Config.from(settings), store, clock); // for the fixture to stop
  }
}
