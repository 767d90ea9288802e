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

  private static void shot(Page page, String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(DIR.resolve(name)).setFullPage(true));
  }
}
