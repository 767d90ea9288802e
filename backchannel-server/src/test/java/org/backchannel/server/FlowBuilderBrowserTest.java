package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.backchannel.core.Json;
import org.backchannel.testkit.RecordingReceiver.Recorded;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Flow Builder in a real Chromium against the real server, store and a receiver standing in for
 * the team's own system, as the seed walks through it: open the Flow Builder, select an existing
 * action, + New step, API Call, URL and headers in the modal, Apply, Save; the API then shows the
 * next version and the action calls out with it. Refused definitions show their reasons by the
 * fields they name.
 */
final class FlowBuilderBrowserTest extends BrowserFixture {
  long workflowId;

  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name).setExact(true);
  }

  static Page.GetByLabelOptions exact() {
    return new Page.GetByLabelOptions().setExact(true);
  }

  @BeforeEach
  void defineWorkflow() {
    String definition =
        """
        {"name": "Deals", "app_id": %d,
         "fields": [
           {"name": "Company Name", "type": "text", "required": true},
           {"name": "Contract Value", "type": "number"},
           {"name": "Assigned To", "type": "person"}],
         "stages": [{"name": "Lead"}, {"name": "Active"}, {"name": "Completed", "end": true}],
         "actions": [
           {"name": "Start", "stages": ["Lead"],
            "steps": [{"type": "assign", "field": "Assigned To"},
                      {"type": "move_to_stage", "stage": "Active"}]},
           {"name": "Finish", "stages": ["Active"],
            "steps": [{"type": "move_to_stage", "stage": "Completed"},
                      {"type": "api_call", "url": "%s",
                       "headers": {"Authorization": "Bearer crm-secret-1"}}]}]}
        """
            .formatted(appId, app.url("/crm"));
    workflowId = ok(http.post("/api/v1/workflows", adminToken, definition)).get("id").asLong();
  }

  String path() {
    return "/api/v1/workflows/" + workflowId;
  }

  Page builderAsAdmin() {
    Page page = newPage(1280, 900);
    choosePassword(page, "ada@example.com");
    page.getByRole(AriaRole.LINK, named("Workflows")).click();
    page.getByRole(AriaRole.LINK, named("Deals")).click();
    page.getByRole(AriaRole.LINK, named("Flow Builder")).click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Flow Builder · Deals"))).isVisible();
    return page;
  }

  Locator actionCard(Page page, String name) {
    return page.locator(".action-card").filter(new Locator.FilterOptions().setHasText(name));
  }

  Response save(Page page) {
    return page.waitForResponse(
        r -> r.request().method().equals("POST") && r.url().endsWith("/builder"),
        () -> page.getByRole(AriaRole.BUTTON, named("Save")).click());
  }

  @Test
  void anAdminAddsAnApiCallStepWithAHeaderAppliesAndSavesAsTheNextVersion() throws Exception {
    Page page = builderAsAdmin();
    assertThat(page.locator("#builder-version")).hasText("Version 1");
    actionCard(page, "Finish").click();
    assertThat(page.getByRole(AriaRole.HEADING, named("Action: Finish"))).isVisible();
    Locator steps = page.locator(".builder-steps > li");
    assertThat(steps).hasCount(2);
    assertThat(steps.nth(1)).containsText("API Call");
    assertThat(steps.nth(1)).containsText("headers: Authorization");

    page.getByRole(AriaRole.BUTTON, named("+ New step")).click();
    page.getByRole(AriaRole.BUTTON, named("API Call")).click();
    Locator modal = page.getByRole(AriaRole.DIALOG);
    assertThat(modal).isVisible();
    assertThat(modal.getByRole(AriaRole.HEADING)).hasText("New step: API Call");
    modal
        .getByLabel("URL", new Locator.GetByLabelOptions().setExact(true))
        .fill(app.url("/billing").toString());
    modal.getByLabel("Method").selectOption("PUT");
    modal
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("+ Add header"))
        .click();
    modal.getByLabel("Header 1 name").fill("X-Billing-Key");
    modal.getByLabel("Header 1 value").fill("billing-secret-9");
    modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();

    assertThat(modal).isHidden();
    assertThat(steps).hasCount(3);
    assertThat(steps.nth(2)).containsText("PUT " + app.url("/billing"));
    assertThat(steps.nth(2)).containsText("headers: X-Billing-Key");
    assertThat(page.locator("#builder-status")).hasText("Step applied. Save to keep it.");
    // Applied, not saved: the API still has version 1.
    assertThat(ok(http.get(path(), adminToken)).get("version").asInt()).isEqualTo(1);

    Response saved = save(page);

    assertThat(saved.status()).isEqualTo(200);
    assertThat(page.locator("#builder-status")).hasText("Saved: version 2.");
    assertThat(page.locator("#builder-version")).hasText("Version 2");
    JsonNode w = ok(http.get(path(), adminToken));
    assertThat(w.get("version").asInt()).isEqualTo(2);
    JsonNode finish = w.get("actions").get(1);
    assertThat(finish.get("steps")).hasSize(3);
    JsonNode added = finish.get("steps").get(2);
    assertThat(added.get("type").asText()).isEqualTo("api_call");
    assertThat(added.get("url").asText()).isEqualTo(app.url("/billing").toString());
    assertThat(added.get("method").asText()).isEqualTo("PUT");
    assertThat(added.get("headers")).isEqualTo(Json.read("{\"X-Billing-Key\": \"[redacted]\"}"));
    assertThat(page.content()).doesNotContain("crm-secret-1");

    // The action calls out with both: the header kept as [redacted], and the new one.
    long task =
        ok(http.post(
                path() + "/tasks",
                memberToken,
                "{\"fields\": {\"Company Name\": \"Acme\"}, \"stage\": \"Active\"}"))
            .get("id")
            .asLong();
    long execution =
        ok(http.post(
                path() + "/executions",
                adminToken,
                "{\"task_id\": " + task + ", \"action_id\": 2}"))
            .get("id")
            .asLong();
    server.backchannel().workflows().completion(execution).get(10, TimeUnit.SECONDS);
    Recorded crm = app.take(Duration.ofSeconds(5));
    assertThat(crm.header("Authorization")).isEqualTo("Bearer crm-secret-1");
    Recorded billing = app.take(Duration.ofSeconds(5));
    assertThat(billing.method()).isEqualTo("PUT");
    assertThat(billing.path()).isEqualTo("/billing");
    assertThat(billing.header("X-Billing-Key")).isEqualTo("billing-secret-9");
  }

  @Test
  void aRefusedDefinitionShowsEachReasonByItsFieldAndSavesNothing() {
    Page page = builderAsAdmin();
    // A field may not be called Stage: the server says so by the field.
    page.getByLabel("Field 1", exact()).fill("Stage");
    Response refused = save(page);

    assertThat(refused.status()).isEqualTo(422);
    Locator field = page.getByLabel("Field 1", exact());
    assertThat(field).hasAttribute("aria-invalid", "true");
    assertThat(field).hasAccessibleDescription("is reserved for the stage");
    assertThat(page.getByRole(AriaRole.ALERT))
        .containsText("Field Stage › name: is reserved for the stage");
    assertThat(page.locator("#builder-status"))
        .hasText("Not saved: 1 problem, shown by its field.");

    // A kept header may not follow its step to another host: by the header, in the modal.
    page.getByLabel("Field 1", exact()).fill("Company Name");
    actionCard(page, "Finish").click();
    page.getByRole(AriaRole.BUTTON, named("Edit step 2: API Call")).click();
    Locator modal = page.getByRole(AriaRole.DIALOG);
    assertThat(modal.getByLabel("Header 1 value")).hasValue("[redacted]");
    modal
        .getByLabel("URL", new Locator.GetByLabelOptions().setExact(true))
        .fill("http://localhost:" + app.url("/").getPort() + "/crm");
    modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();
    assertThat(save(page).status()).isEqualTo(422);
    String reason = "is [redacted], but the URL now goes to another host: give its value again";
    assertThat(page.locator(".builder-steps > li").nth(1)).containsText(reason);
    page.getByRole(AriaRole.BUTTON, named("Edit step 2: API Call")).click();
    assertThat(modal.getByLabel("Header 1 value")).hasAccessibleDescription(reason);

    // The modal's own check: a URL that is not http(s) keeps it open, with the reason by the URL.
    Locator url = modal.getByLabel("URL", new Locator.GetByLabelOptions().setExact(true));
    url.fill("ftp://crm.example.com");
    modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();
    assertThat(modal).isVisible();
    assertThat(url).hasAccessibleDescription("must be an absolute http or https URL");
    assertThat(url).isFocused();
    // Given again, the header value goes with the step to its new host.
    url.fill("http://localhost:" + app.url("/").getPort() + "/crm");
    modal.getByLabel("Header 1 value").fill("Bearer crm-secret-2");
    modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();
    assertThat(save(page).status()).isEqualTo(200);
    assertThat(page.locator("#builder-status")).hasText("Saved: version 2.");
    assertThat(page.locator(".field-error")).hasCount(0);
    assertThat(ok(http.get(path() + "/versions", adminToken))).hasSize(2);
  }

  @Test
  void renamingAFieldInTheBuilderKeepsTheTasksValues() {
    long task =
        ok(http.post(path() + "/tasks", memberToken, "{\"fields\": {\"Company Name\": \"Acme\"}}"))
            .get("id")
            .asLong();
    Page page = builderAsAdmin();
    Locator name = page.getByLabel("Field 1", exact());
    name.fill("Customer");
    name.press("Tab"); // the rename follows into what refers to the field
    assertThat(save(page).status()).isEqualTo(200);

    JsonNode t = ok(http.get(path() + "/tasks/" + task, memberToken));
    assertThat(t.get("fields")).isEqualTo(Json.read("{\"Customer\": \"Acme\"}"));
    page.navigate("/ui/workflows/" + workflowId + "/tasks/" + task);
    assertThat(page.locator(".task-fields")).containsText("CustomerAcme");
  }

  @Test
  void anAdminDefinesANewWorkflowInTheBuilder() {
    Page page = newPage(1280, 900);
    choosePassword(page, "ada@example.com");
    page.navigate("/ui/workflows");
    page.getByRole(AriaRole.LINK, named("New workflow")).click();
    page.getByLabel("Workflow name", exact()).fill("Onboarding");
    page.getByRole(AriaRole.BUTTON, named("+ New field")).click();
    page.getByLabel("Field 1", exact()).fill("Employee");
    page.getByRole(AriaRole.BUTTON, named("+ New action")).click();
    page.getByLabel("Action name").fill("Welcome");
    page.getByRole(AriaRole.BUTTON, named("+ New step")).click();
    page.getByRole(AriaRole.BUTTON, named("API Call")).click();
    Locator modal = page.getByRole(AriaRole.DIALOG);
    modal
        .getByLabel("URL", new Locator.GetByLabelOptions().setExact(true))
        .fill(app.url("/welcome").toString());
    modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();
    page.waitForResponse(
        r -> r.request().method().equals("POST") && r.url().endsWith("/ui/workflows"),
        () -> page.getByRole(AriaRole.BUTTON, named("Save")).click());

    assertThat(page).hasURL(Pattern.compile("/ui/workflows/\\d+/builder\\?saved=1$"));
    assertThat(page.getByRole(AriaRole.HEADING, named("Flow Builder · Onboarding"))).isVisible();
    assertThat(page.locator("#builder-status")).hasText("Saved: version 1.");
    JsonNode all = ok(http.get("/api/v1/workflows", adminToken));
    JsonNode made = all.get(all.size() - 1);
    assertThat(made.get("name").asText()).isEqualTo("Onboarding");
    assertThat(made.get("actions").get(0).get("steps").get(0).get("url").asText())
        .isEqualTo(app.url("/welcome").toString());
  }

  @Test
  void membersHaveNoFlowBuilderAndAForgedSaveIsRefused() {
    Page member = newPage();
    choosePassword(member, "mia@example.com");
    member.navigate("/ui/workflows/" + workflowId);
    assertThat(member.getByRole(AriaRole.LINK, named("Flow Builder"))).hasCount(0);
    String csrf = member.locator("input[name=csrf]").first().inputValue();
    assertThat(member.navigate("/ui/workflows/" + workflowId + "/builder").status()).isEqualTo(403);
    var direct =
        context
            .request()
            .post(
                server.url() + "/ui/workflows/" + workflowId + "/builder",
                RequestOptions.create()
                    .setForm(FormData.create().set("csrf", csrf).set("definition", "{}")));
    assertThat(direct.status()).isEqualTo(403);

    Page admin = builderAsAdmin();
    String adminCsrf = admin.locator("#builder-csrf").inputValue();
    var forged =
        context
            .request()
            .post(
                server.url() + "/ui/workflows/" + workflowId + "/builder",
                RequestOptions.create()
                    .setForm(FormData.create().set("csrf", "forged").set("definition", "{}")));
    assertThat(forged.status()).isEqualTo(403);
    var broken =
        context
            .request()
            .post(
                server.url() + "/ui/workflows/" + workflowId + "/builder",
                RequestOptions.create()
                    .setForm(
                        FormData.create().set("csrf", adminCsrf).set("definition", "{\"name\":")));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(Json.read(broken.text()).get("errors").has("body")).isTrue();
    assertThat(ok(http.get(path(), adminToken)).get("version").asInt()).isEqualTo(1);
  }
}
