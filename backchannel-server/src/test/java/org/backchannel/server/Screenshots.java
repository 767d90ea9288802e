package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import org.backchannel.core.delivery.DeliveryStore;
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

  @Test
  void workflowPages() throws Exception {
    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                """
                {"name": "Deals", "app_id": %d,
                 "fields": [
                   {"name": "Company Name", "type": "text", "required": true},
                   {"name": "Contract Value", "type": "number"},
                   {"name": "Expected Close Date", "type": "date"},
                   {"name": "Assigned To", "type": "person"},
                   {"name": "Plan", "type": "choice", "choices": ["Basic", "Pro"]}],
                 "stages": [{"name": "Lead"}, {"name": "Active"}, {"name": "Completed", "end": true}],
                 "actions": [
                   {"name": "Start", "stages": ["Lead"],
                    "steps": [{"type": "assign", "field": "Assigned To"},
                              {"type": "move_to_stage", "stage": "Active"}]},
                   {"name": "Finish", "stages": ["Active"], "requirements": ["Contract Value"],
                    "steps": [{"type": "move_to_stage", "stage": "Completed"},
                              {"type": "api_call", "url": "%s"}]}]}
                """
                    .formatted(appId, app.url("/crm"))))
            .get("id")
            .asLong();
    String tasks = "/api/v1/workflows/" + workflow + "/tasks";
    String[][] deals = {
      {"Acme Corp", "10000", "Lead"},
      {"Globex", "2500", "Active"},
      {"Initech", "", "Active"},
      {"Hooli", "48000", "Completed"},
      {"Umbrella", "", "Lead"}
    };
    long globex = 0;
    for (String[] d : deals) {
      String value = d[1].isEmpty() ? "" : ", \"Contract Value\": " + d[1];
      long id =
          ok(http.post(
                  tasks,
                  memberToken,
                  "{\"fields\": {\"Company Name\": \"%s\", \"Assigned To\": \"mia@example.com\"%s},"
                          .formatted(d[0], value)
                      + " \"stage\": \"%s\"}".formatted(d[2])))
              .get("id")
              .asLong();
      if (d[0].equals("Globex")) {
        globex = id;
      }
    }

    Page page = newPage(1280, 760);
    choosePassword(page, "mia@example.com");
    page.navigate("/ui/workflows/" + workflow);
    shot(page, "workflow-board.png");
    page.navigate("/ui/workflows/" + workflow + "/tasks/new");
    page.getByLabel("Company Name").fill("Soylent");
    page.getByLabel("Contract Value").fill("a lot");
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Create task"))
        .click();
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT)).isVisible();
    shot(page, "workflow-new-task.png");
    app.answer(Answer.json(500, "{\"error\": \"the CRM is down for maintenance\"}"));
    page.navigate("/ui/workflows/" + workflow + "/tasks/" + globex);
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Finish"))
        .click();
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT)).isVisible();
    page.locator("#execution").blur();
    shot(page, "workflow-task.png");
    page.setViewportSize(375, 812);
    page.navigate("/ui/workflows/" + workflow);
    shot(page, "workflow-board-phone.png");
  }

  @Test
  void flowBuilderPages() {
    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                """
                {"name": "Deals", "app_id": %d,
                 "fields": [
                   {"name": "Company Name", "type": "text", "required": true},
                   {"name": "Company ID", "type": "text"},
                   {"name": "Contract Value", "type": "number"},
                   {"name": "Assigned To", "type": "person"},
                   {"name": "Plan", "type": "choice", "choices": ["Basic", "Pro"]}],
                 "unique_field": "Company ID",
                 "stages": [{"name": "Lead"}, {"name": "Active"}, {"name": "Completed", "end": true}],
                 "actions": [
                   {"name": "Start", "stages": ["Lead"],
                    "steps": [{"type": "assign", "field": "Assigned To"},
                              {"type": "move_to_stage", "stage": "Active"}]},
                   {"name": "Finish", "stages": ["Active"], "requirements": ["Contract Value"],
                    "steps": [{"type": "move_to_stage", "stage": "Completed"},
                              {"type": "api_call", "url": "https://crm.example.com/deals/finished",
                               "headers": {"Authorization": "Bearer crm-token"}}]}]}
                """
                    .formatted(appId)))
            .get("id")
            .asLong();
    var button = com.microsoft.playwright.options.AriaRole.BUTTON;
    Page page = newPage(1280, 900);
    choosePassword(page, "ada@example.com");
    page.navigate("/ui/workflows/" + workflow + "/builder");
    page.locator(".action-card")
        .filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText("Finish"))
        .click();
    page.getByRole(button, new Page.GetByRoleOptions().setName("+ New step").setExact(true))
        .click();
    page.getByRole(button, new Page.GetByRoleOptions().setName("API Call").setExact(true)).click();
    var modal = page.getByRole(com.microsoft.playwright.options.AriaRole.DIALOG);
    modal
        .getByLabel("URL", new com.microsoft.playwright.Locator.GetByLabelOptions().setExact(true))
        .fill("https://billing.example.com/invoices");
    modal.getByLabel("Method").selectOption("PUT");
    modal
        .getByRole(
            button, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("+ Add header"))
        .click();
    modal.getByLabel("Header 1 name").fill("Authorization");
    modal.getByLabel("Header 1 value").fill("Bearer billing-token");
    page.evaluate("window.scrollTo(0, 0)");
    page.screenshot(
        new Page.ScreenshotOptions().setPath(DIR.resolve("workflow-builder-api-call.png")));
    modal
        .getByRole(button, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Apply"))
        .click();
    page.getByRole(button, new Page.GetByRoleOptions().setName("Save").setExact(true)).click();
    assertThat(page.locator("#builder-status")).hasText("Saved: version 2.");
    shot(page, "workflow-builder.png");
    page.getByLabel("Field 2", new Page.GetByLabelOptions().setExact(true)).fill("Stage");
    page.getByRole(button, new Page.GetByRoleOptions().setName("Save").setExact(true)).click();
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT)).isVisible();
    shot(page, "workflow-builder-refused.png");
  }

  @Test
  void chatPages() {
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            ChatBrowserTest.REGISTRATION.formatted(
                app.url("/events"), app.url("/board"), app.url("/todos"))));
    app.answer(Screenshots::demoApp);
    ok(http.post("/api/v1/platform/apps/" + appId + "/install", adminToken, ""));
    String token =
        org.backchannel.core.Json.read(app.take(java.time.Duration.ofSeconds(5)).bodyText())
            .get("token")
            .asText();
    ok(
        http.post(
            "/api/v1/platform/flows/" + flowId + "/messages",
            memberToken,
            "{\"text\":\"Morning! The release train leaves at 15:00.\"}"));
    ok(
        http.post(
            "/v1/chat.sendMessage",
            null,
            """
            {"token":"%s","to":"g:%d","text":"Build 42 is ready","attachments":[{
              "title":"Build 42","description":"All 318 checks passed",
              "views":{"flockml":"<flockml>Took <b>4 min</b> on main. <action id=\\"rerun\\" type=\\"sendEvent\\">Re-run</action></flockml>"},
              "buttons":[{"name":"Deploy","id":"deploy"},{"name":"Logs","id":"logs"}]}]}
            """
                .formatted(token, flowId)));
    ok(
        http.post(
            "/api/v1/platform/flows/" + flowId + "/messages",
            adminToken,
            "{\"text\":\"Can someone look at https://issues.example.com/42 before then?\"}"));

    Page page = newPage(1280, 860);
    choosePassword(page, "ada@example.com");
    page.navigate("/ui/flows/" + flowId + "/chat");
    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true)).fill("/weather paris");
    page.keyboard().press("Enter");
    assertThat(page.locator(".toast")).isVisible();
    shot(page, "chat.png");
    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true)).fill("/board q3");
    page.keyboard().press("Enter");
    assertThat(page.frameLocator("#widgets iframe").locator("h1")).isVisible();
    shot(page, "chat-widget.png");
    page.setViewportSize(375, 812);
    page.navigate("/ui/flows/" + flowId + "/chat");
    shot(page, "chat-phone.png");
  }

  @Test
  void appInstallPages() {
    long ws = ok(http.get("/api/v1/me", adminToken)).get("workspace_id").asLong();
    long jira = ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Jira\"}")).get("id").asLong();
    long standup =
        ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"Standup bot\"}")).get("id").asLong();
    GrantRows.client(
        store,
        clock.instant(),
        appId,
        true,
        "Pull requests, reviews and builds of your repositories, with buttons to act on them.",
        "https://github.example/backchannel/install");
    GrantRows.client(
        store,
        clock.instant(),
        jira,
        true,
        "Issues as threads: status changes, comments and assignments.",
        "https://jira.example/apps/backchannel");
    GrantRows.client(
        store, clock.instant(), standup, true, "Asks the flow for its daily standup.", null);
    GrantRows.grant(
        store,
        clock.instant(),
        ws,
        appId,
        memberId,
        flowId,
        java.util.Set.of(
            org.backchannel.core.workspace.Scope.FLOW_POST,
            org.backchannel.core.workspace.Scope.USER_READ));
    clock.advance(java.time.Duration.ofMinutes(42));
    GrantRows.grant(
        store,
        clock.instant(),
        ws,
        jira,
        memberId,
        null,
        java.util.Set.of(
            org.backchannel.core.workspace.Scope.CHAT_WRITE,
            org.backchannel.core.workspace.Scope.WORKFLOWS_TASKS));

    Page page = newPage(1280, 760);
    choosePassword(page, "mia@example.com");
    page.navigate("/ui/apps/directory");
    shot(page, "app-directory.png");
    page.navigate("/ui/account/apps");
    shot(page, "authorized-apps.png");
    context.close(); // the admin signs in on a browser of her own

    Page admin = newPage(1280, 900);
    choosePassword(admin, "ada@example.com");
    admin.navigate("/ui/apps/installs");
    admin
        .getByRole(
            com.microsoft.playwright.options.AriaRole.RADIO,
            new Page.GetByRoleOptions().setName("Approved apps only"))
        .check();
    admin
        .getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Save policy"))
        .click();
    admin.onDialog(com.microsoft.playwright.Dialog::accept);
    admin
        .getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Revoke Jira for Mia Member"))
        .click();
    assertThat(admin.locator(".state-failed")).isVisible();
    shot(admin, "app-installs.png");
  }

  /** A small app: weather for /weather, previews of its issues, and a board widget. */
  private static Answer demoApp(org.backchannel.testkit.RecordingReceiver.Recorded r) {
    if (r.method().equals("GET")) {
      return new Answer(
          200,
          java.util.Map.of("Content-Type", "text/html; charset=utf-8"),
          "<body style=\"font-family:sans-serif\"><h1>Board q3</h1><ul><li>Ship chat</li><li>Fix login bug</li></ul></body>"
              .getBytes(java.nio.charset.StandardCharsets.UTF_8),
          false);
    }
    String body = r.bodyText();
    if (body.contains("client.slashCommand")) {
      return Answer.json(200, "{\"text\":\"Sunny and 21 °C in Paris\"}");
    }
    if (body.contains("chat.generateUrlPreview")) {
      return Answer.json(
          200,
          """
          {"attachment":{"title":"Issue 42: login fails after password change",
           "description":"Open since Monday, assigned to Mia",
           "views":{"flockml":"<flockml>Priority <b>high</b></flockml>"}}}
          """);
    }
    return Answer.json(200, "{}");
  }

  @Test
  void oauthConsentPage() {
    String redirect = app.url("/oauth/callback").toString();
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/oauth",
            adminToken,
            "{\"redirect_uris\": [\""
                + redirect
                + "\"], \"description\": \"Posts pull requests, reviews and builds to the flow you"
                + " pick, and lets you merge from the thread.\"}"));
    ok(http.post("/api/v1/flows", adminToken, "{\"name\":\"ops\",\"members\":[" + memberId + "]}"));
    OAuthApp client = new OAuthApp(server.url(), "gh", appSecret, redirect, OAuthApp.Auth.BASIC);
    Page page = newPage(1280, 760);
    choosePassword(page, "mia@example.com");
    page.navigate(client.link("st", true).url());
    assertThat(page.getByLabel("Flow it may use")).isVisible();
    shot(page, "oauth-consent.png");
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
          t.store(DeliveryStore.class)
              .disableEndpoint(endpoint, "failed for 5 days without a success", clock.instant());
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
    // someone who has left, to show how a deactivated person looks
    long otto = ok(http.get("/api/v1/me", outsiderToken)).get("id").asLong();
    ok(http.post("/api/v1/users/" + otto + "/deactivate", adminToken, ""));
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
