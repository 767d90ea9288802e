package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflows in the web UI, in a real Chromium against the real server, store and a real receiver
 * standing in for the team's own system: the board, creating tasks, and running actions whose
 * progress and outcome show without a reload.
 */
final class WorkflowsBrowserTest extends BrowserFixture {
  long workflowId;

  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name);
  }

  /** Deals: Start assigns and activates; Finish completes and calls the CRM; Approve is admins'. */
  String definition() {
    return """
        {"name": "Deals", "app_id": %d,
         "fields": [
           {"name": "Company Name", "type": "text", "required": true},
           {"name": "Company ID", "type": "text"},
           {"name": "Number of Employees", "type": "number"},
           {"name": "Contract Value", "type": "number"},
           {"name": "International?", "type": "boolean"},
           {"name": "Expected Close Date", "type": "date"},
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
                      {"type": "api_call", "url": "%s",
                       "headers": {"Authorization": "Bearer crm-secret-1"}}]},
           {"name": "Approve", "stages": ["Active"], "roles": ["admin"],
            "steps": [{"type": "move_to_stage", "stage": "Completed"}]}]}
        """
        .formatted(appId, app.url("/crm"));
  }

  @BeforeEach
  void defineWorkflow() {
    workflowId = ok(http.post("/api/v1/workflows", adminToken, definition())).get("id").asLong();
  }

  String tasksPath() {
    return "/api/v1/workflows/" + workflowId + "/tasks";
  }

  long createTask(String fields) {
    return ok(http.post(tasksPath(), memberToken, "{\"fields\": {" + fields + "}}"))
        .get("id")
        .asLong();
  }

  /** Runs Start through the API and waits for the runner: the task is assigned and Active. */
  void start(long task) throws Exception {
    long id =
        ok(http.post(
                "/api/v1/workflows/" + workflowId + "/executions",
                memberToken,
                "{\"task_id\": " + task + ", \"action_id\": 1}"))
            .get("id")
            .asLong();
    server.backchannel().workflows().completion(id).get(10, TimeUnit.SECONDS);
  }

  JsonNode task(long id) {
    return ok(http.get(tasksPath() + "/" + id, memberToken));
  }

  String taskPage(long id) {
    return "/ui/workflows/" + workflowId + "/tasks/" + id;
  }

  Locator column(Page page, String stage) {
    return page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName(stage));
  }

  @Test
  void theBoardShowsEachTaskInItsStageAtLaptopAndPhoneWidth() throws Exception {
    createTask("\"Company Name\": \"Acme Corp\", \"Company ID\": \"42\"");
    long globex = createTask("\"Company Name\": \"Globex\", \"Contract Value\": 500");
    start(globex);
    long initech = createTask("\"Company Name\": \"<img src=x onerror=alert(1)>Initech\"");
    ok(http.send("PATCH", tasksPath() + "/" + initech, memberToken, "{\"stage\": \"Completed\"}"));

    Page page = newPage();
    choosePassword(page, "mia@example.com");
    page.getByRole(AriaRole.LINK, named("Workflows")).click();
    page.getByRole(AriaRole.LINK, named("Deals")).click();

    assertThat(column(page, "Lead").getByRole(AriaRole.LINK)).hasText("Acme Corp");
    assertThat(column(page, "Lead")).containsText("Company ID42");
    assertThat(column(page, "Active").getByRole(AriaRole.LINK)).hasText("Globex");
    assertThat(column(page, "Active")).containsText("Assigned ToMia Member");
    assertThat(column(page, "Completed").getByRole(AriaRole.LINK))
        .hasText("<img src=x onerror=alert(1)>Initech");
    assertThat(page.locator(".board img")).hasCount(0);
    assertThat(column(page, "Completed").getByRole(AriaRole.HEADING)).containsText("End stage");
    assertThat(column(page, "Lead").getByRole(AriaRole.HEADING)).not().containsText("End stage");
    // Side by side at laptop width.
    BoundingBox lead = column(page, "Lead").boundingBox();
    BoundingBox active = column(page, "Active").boundingBox();
    assertThat(active.y).isEqualTo(lead.y);
    assertThat(active.x).isGreaterThan(lead.x + lead.width - 1);

    // Stacked at phone width, nothing wider than the screen.
    page.setViewportSize(375, 800);
    lead = column(page, "Lead").boundingBox();
    active = column(page, "Active").boundingBox();
    assertThat(active.x).isEqualTo(lead.x);
    assertThat(active.y).isGreaterThan(lead.y + lead.height - 1);
    assertThat(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
        .isEqualTo(true);

    column(page, "Active")
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Globex"))
        .click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Globex"))).isVisible();
    assertThat(page.locator(".task-stage")).hasText("Active");
  }

  @Test
  void aTaskIsCreatedFromTheFormAndAnInvalidOneIsRefusedWithTheReasonByItsField() {
    createTask("\"Company Name\": \"Acme Corp\", \"Company ID\": \"42\"");
    Page page = newPage();
    choosePassword(page, "mia@example.com");
    page.navigate("/ui/workflows/" + workflowId);
    page.getByRole(AriaRole.LINK, named("New task")).click();

    page.getByLabel("Company Name").fill("Hooli");
    page.getByLabel("Company ID").fill("42");
    page.getByLabel("Number of Employees").fill("many");
    page.getByLabel("Plan").selectOption("Pro");
    Response refused =
        page.waitForResponse(
            r -> r.request().method().equals("POST"),
            () -> page.getByRole(AriaRole.BUTTON, named("Create task")).click());

    assertThat(refused.status()).isEqualTo(422);
    assertThat(page.getByLabel("Number of Employees")).hasAttribute("aria-invalid", "true");
    assertThat(page.getByLabel("Number of Employees")).hasAccessibleDescription("must be a number");
    assertThat(page.getByRole(AriaRole.ALERT))
        .containsText("Number of Employees: must be a number");
    assertThat(page.getByLabel("Company Name")).hasValue("Hooli");
    assertThat(page.getByLabel("Plan")).hasValue("Pro");
    assertThat(ok(http.get(tasksPath(), memberToken)).get("items")).hasSize(1);

    // The Unique ID another task has is refused the same way, by its field.
    page.getByLabel("Number of Employees").fill("30");
    Response clash =
        page.waitForResponse(
            r -> r.request().method().equals("POST"),
            () -> page.getByRole(AriaRole.BUTTON, named("Create task")).click());
    assertThat(clash.status()).isEqualTo(409);
    assertThat(page.getByLabel("Company ID"))
        .hasAccessibleDescription(java.util.regex.Pattern.compile("already has Company ID 42"));
    assertThat(ok(http.get(tasksPath(), memberToken)).get("items")).hasSize(1);

    page.getByLabel("Company ID").fill("43");
    page.getByLabel("International?").selectOption("Yes");
    page.getByLabel("Expected Close Date").fill("2027-01-31");
    page.getByRole(AriaRole.BUTTON, named("Create task")).click();

    assertThat(page.getByRole(AriaRole.HEADING, named("Hooli"))).isVisible();
    assertThat(page.locator(".task-stage")).hasText("Lead");
    assertThat(page.locator(".task-fields")).containsText("Number of Employees30");
    assertThat(page.locator(".task-fields")).containsText("International?Yes");
    assertThat(page.locator(".task-fields")).containsText("Expected Close Date2027-01-31");
    JsonNode items = ok(http.get(tasksPath() + "?Company%20ID=43", memberToken)).get("items");
    assertThat(items).hasSize(1);
    assertThat(items.get(0).get("fields").get("Plan").asText()).isEqualTo("Pro");
  }

  @Test
  void anActionWhoseApiCallFailsShowsAnAlertNamingTheStepAndTheReasonAndChangesNothing()
      throws Exception {
    long acme = createTask("\"Company Name\": \"Acme Corp\", \"Contract Value\": 10000");
    start(acme);
    JsonNode before = task(acme);
    app.answer(Answer.json(500, "{\"error\": \"crm is down\"}"));

    Page page = newPage();
    choosePassword(page, "mia@example.com");
    page.navigate(taskPage(acme));
    page.getByRole(AriaRole.BUTTON, named("Finish")).click();

    Locator alert = page.getByRole(AriaRole.ALERT);
    assertThat(alert).containsText("“Finish” failed at step 2 of 2");
    assertThat(alert).containsText("API Call POST " + app.url("/crm"));
    assertThat(alert).containsText("the app answered HTTP 500: crm is down");
    assertThat(alert).containsText("The task was not changed.");
    assertThat(page.locator(".task-stage")).hasText("Active");
    assertThat(task(acme)).isEqualTo(before);
    assertThat(app.requests()).hasSize(1);
    assertThat(page.content()).doesNotContain("crm-secret-1");
    page.setViewportSize(375, 800);
    assertThat(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
        .isEqualTo(true);
  }

  @Test
  void aCallThatIsNeverAnsweredShowsRunningThenTheTimeout() throws Exception {
    long acme = createTask("\"Company Name\": \"Acme Corp\", \"Contract Value\": 10000");
    start(acme);
    app.answer(Answer.never());

    Page page = newPage();
    choosePassword(page, "mia@example.com");
    page.navigate(taskPage(acme));
    page.getByRole(AriaRole.BUTTON, named("Finish")).click();

    assertThat(page.locator("[data-execution=Running]")).containsText("1 of 2 steps done");
    assertThat(page.getByRole(AriaRole.ALERT))
        .containsText("at step 2 of 2 (API Call POST " + app.url("/crm") + ")");
    assertThat(page.getByRole(AriaRole.ALERT)).containsText("the app did not answer in time");
    assertThat(page.locator(".task-stage")).hasText("Active");
  }

  @Test
  void aSucceedingActionShowsItsProgressAndMovesTheTaskWithoutAReload() throws Exception {
    long acme = createTask("\"Company Name\": \"Acme Corp\", \"Contract Value\": 10000");
    start(acme);
    CountDownLatch answer = new CountDownLatch(1);
    app.answer(
        r -> {
          try {
            answer.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Answer.json(200, "{\"task\": {\"Plan\": \"Pro\"}}");
        });

    Page page = newPage();
    choosePassword(page, "mia@example.com");
    page.navigate(taskPage(acme));
    // By keyboard: the action is a plain button in the tab order.
    page.getByRole(AriaRole.BUTTON, named("Finish")).focus();
    page.keyboard().press("Enter");

    Locator progress = page.locator("#execution");
    assertThat(progress).hasAttribute("data-execution", "Running");
    assertThat(progress).containsText("running API Call POST " + app.url("/crm"));
    assertThat(progress).isFocused();
    page.evaluate("window.notReloaded = true");
    answer.countDown();

    assertThat(progress).hasAttribute("data-execution", "Succeeded");
    assertThat(progress)
        .containsText("“Finish” succeeded. The task is now in the stage Completed.");
    assertThat(page.locator(".task-stage")).hasText("Completed End stage");
    assertThat(page.locator(".task-fields")).containsText("PlanPro");
    assertThat(page.getByRole(AriaRole.BUTTON, named("Finish"))).hasCount(0);
    assertThat(page.evaluate("window.notReloaded === true")).isEqualTo(true);
    assertThat(task(acme).get("stage").asText()).isEqualTo("Completed");
  }

  @Test
  void onlyTheActionsThisPersonMayRunAreOfferedAndUnmetRequirementsAreRefused() throws Exception {
    long globex = createTask("\"Company Name\": \"Globex\"");
    start(globex);

    Page page = newPage();
    choosePassword(page, "mia@example.com");
    page.navigate(taskPage(globex));
    assertThat(page.getByRole(AriaRole.BUTTON, named("Approve"))).hasCount(0);
    assertThat(page.getByRole(AriaRole.BUTTON, named("Start"))).hasCount(0);
    assertThat(page.getByRole(AriaRole.BUTTON, named("Finish")))
        .hasAccessibleDescription("Needs Contract Value");
    Response refused =
        page.waitForResponse(
            r -> r.request().method().equals("POST"),
            () -> page.getByRole(AriaRole.BUTTON, named("Finish")).click());
    assertThat(refused.status()).isEqualTo(422);
    assertThat(page.getByRole(AriaRole.ALERT))
        .containsText("Contract Value is required by the action Finish");
    assertThat(page.locator(".task-stage")).hasText("Active");
    assertThat(app.requests()).isEmpty();

    // An admin-only action refuses a member even when posted directly.
    String csrf = page.locator("input[name=csrf]").first().inputValue();
    var direct =
        context
            .request()
            .post(
                server.url() + taskPage(globex) + "/actions/3",
                RequestOptions.create().setForm(FormData.create().set("csrf", csrf)));
    assertThat(direct.status()).isEqualTo(403);
    var forged =
        context
            .request()
            .post(
                server.url() + taskPage(globex) + "/actions/2",
                RequestOptions.create().setForm(FormData.create().set("csrf", "forged")));
    assertThat(forged.status()).isEqualTo(403);

    Page admin = newPage();
    choosePassword(admin, "ada@example.com");
    admin.navigate(taskPage(globex));
    assertThat(admin.getByRole(AriaRole.BUTTON, named("Approve"))).isVisible();
  }
}
