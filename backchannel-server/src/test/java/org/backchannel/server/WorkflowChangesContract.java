package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.Json;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.RecordingReceiver.Recorded;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Changing a workflow over HTTP against a real server, store and receiver: a PUT saves a whole new
 * definition as the next version, keeps header values given as {@code [redacted]}, lets task data
 * follow a renamed field, refuses a definition that does not fit by the field (422), and leaves an
 * execution already started to finish on the version it started with. Runs once per store.
 */
abstract class WorkflowChangesContract extends ServerFixture {
  long workflowId;

  @Override
  void configure(Map<String, String> settings) {
    // One test holds an API call open while it saves a new version; a busy machine must not time
    // it out.
    settings.put("interactive_timeout", "20s");
  }

  @BeforeEach
  void defineWorkflow() {
    String definition =
        """
        {"name": "Deals", "app_id": %d,
         "fields": [
           {"name": "Company Name", "type": "text", "required": true},
           {"name": "Company ID", "type": "text"},
           {"name": "Contract Value", "type": "number"},
           {"name": "Plan", "type": "choice", "choices": ["Basic", "Pro"]}],
         "unique_field": "Company ID",
         "stages": [{"name": "Lead"}, {"name": "Active"}, {"name": "Completed", "end": true}],
         "actions": [
           {"name": "Start", "stages": ["Lead"],
            "steps": [{"type": "move_to_stage", "stage": "Active"}]},
           {"name": "Finish", "stages": ["Active"],
            "steps": [
              {"type": "api_call", "url": "%s",
               "headers": {"Authorization": "Bearer crm-secret-1", "X-Trace": "t1"}},
              {"type": "set_fields", "values": {"Plan": "Pro"}},
              {"type": "move_to_stage", "stage": "Completed"},
              {"type": "api_call", "url": "%s", "method": "PUT",
               "headers": {"X-Billing-Key": "billing-secret-1"}}]}]}
        """
            .formatted(appId, app.url("/crm"), app.url("/billing"));
    workflowId = ok(http.post("/api/v1/workflows", adminToken, definition)).get("id").asLong();
  }

  String path() {
    return "/api/v1/workflows/" + workflowId;
  }

  /** The workflow as the API shows it, to change and send back as a client would. */
  ObjectNode shown() {
    return (ObjectNode) ok(http.get(path(), adminToken));
  }

  Http.Answer put(JsonNode definition, String token) {
    return http.send("PUT", path(), token, Json.write(definition));
  }

  ObjectNode field(ObjectNode w, String name) {
    for (JsonNode f : w.get("fields")) {
      if (f.get("name").asText().equals(name)) {
        return (ObjectNode) f;
      }
    }
    throw new AssertionError("no field " + name);
  }

  ObjectNode step(ObjectNode w, int action, int step) {
    return (ObjectNode) w.get("actions").get(action).get("steps").get(step);
  }

  long createTask(String fields) {
    return ok(http.post(path() + "/tasks", memberToken, "{\"fields\": {" + fields + "}}"))
        .get("id")
        .asLong();
  }

  JsonNode task(long id) {
    return ok(http.get(path() + "/tasks/" + id, memberToken));
  }

  JsonNode runToEnd(long task, int action) throws Exception {
    Http.Answer started =
        http.post(
            path() + "/executions",
            memberToken,
            "{\"task_id\": " + task + ", \"action_id\": " + action + "}");
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    return finished(started.json().get("id").asLong());
  }

  JsonNode finished(long execution) throws Exception {
    server.backchannel().workflows().completion(execution).get(30, TimeUnit.SECONDS);
    return ok(http.get("/api/v1/executions/" + execution, memberToken));
  }

  @Test
  void aPutSavesTheNextVersionAndKeepsTheHeaderValuesGivenAsRedacted() throws Exception {
    ObjectNode w = shown();
    assertThat(w.get("version").asInt()).isEqualTo(1);
    assertThat(w.toString()).doesNotContain("crm-secret-1");
    // A step's URL changes (same host); one header value is replaced, the other kept as
    // [redacted]; a header is added to the billing call; a field goes; a stage is added.
    ObjectNode crm = step(w, 1, 0);
    crm.put("url", app.url("/crm/v2").toString());
    assertThat(crm.get("headers").get("Authorization").asText()).isEqualTo("[redacted]");
    ((ObjectNode) crm.get("headers")).put("X-Trace", "trace-two");
    ((ObjectNode) step(w, 1, 3).get("headers")).put("X-Billing-Account", "acme");
    ((ArrayNode) w.get("fields")).remove(2);
    ((ArrayNode) w.get("stages")).insertObject(2).put("name", "Review").put("end", false);

    Http.Answer saved = put(w, adminToken);

    assertThat(saved.status()).as(saved.text()).isEqualTo(200);
    JsonNode now = saved.json();
    assertThat(now.get("version").asInt()).isEqualTo(2);
    assertThat(now.get("updated_by").asLong())
        .isEqualTo(ok(http.get("/api/v1/me", adminToken)).get("id").asLong());
    assertThat(now.get("fields"))
        .extracting(f -> f.get("name").asText())
        .containsExactly("Company Name", "Company ID", "Plan");
    assertThat(now.get("stages"))
        .extracting(s -> s.get("name").asText())
        .containsExactly("Lead", "Active", "Review", "Completed");
    assertThat(now.get("actions").get(1).get("id").asInt()).isEqualTo(2);
    assertThat(now.get("actions").get(1).get("steps").get(0).get("headers"))
        .isEqualTo(Json.read("{\"Authorization\": \"[redacted]\", \"X-Trace\": \"[redacted]\"}"));
    assertThat(now.toString()).doesNotContain("crm-secret-1").doesNotContain("trace-two");
    assertThat(ok(http.get(path(), memberToken))).isEqualTo(now);

    // Every version is kept; the first as it was.
    JsonNode versions = ok(http.get(path() + "/versions", memberToken));
    assertThat(versions).extracting(v -> v.get("version").asInt()).containsExactly(1, 2);
    JsonNode first = ok(http.get(path() + "/versions/1", memberToken));
    assertThat(first.get("actions").get(1).get("steps").get(0).get("url").asText())
        .isEqualTo(app.url("/crm").toString());
    assertThat(first.get("fields")).hasSize(4);
    assertThat(http.get(path() + "/versions/3", memberToken).status()).isEqualTo(404);

    // The new version runs: the kept value, the replaced one, the added one.
    long task = createTask("\"Company Name\": \"Acme Corp\"");
    assertThat(runToEnd(task, 1).get("status").asText()).isEqualTo("Succeeded");
    JsonNode run = runToEnd(task, 2);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("Succeeded");
    assertThat(run.get("workflow_version").asInt()).isEqualTo(2);
    Recorded call = app.take(Duration.ofSeconds(5));
    assertThat(call.path()).isEqualTo("/crm/v2");
    assertThat(call.header("Authorization")).isEqualTo("Bearer crm-secret-1");
    assertThat(call.header("X-Trace")).isEqualTo("trace-two");
    Recorded billing = app.take(Duration.ofSeconds(5));
    assertThat(billing.header("X-Billing-Key")).isEqualTo("billing-secret-1");
    assertThat(billing.header("X-Billing-Account")).isEqualTo("acme");
    assertThat(Json.read(call.bodyText()).get("task").has("Contract Value")).isFalse();
  }

  @Test
  void anExecutionStartedOnVersion1FinishesOnVersion1AfterAPut() throws Exception {
    long task = createTask("\"Company Name\": \"Acme Corp\", \"Company ID\": \"42\"");
    assertThat(runToEnd(task, 1).get("status").asText()).isEqualTo("Succeeded");
    CountDownLatch release = new CountDownLatch(1);
    app.answer(
        r -> {
          if (r.path().equals("/crm")) {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return Answer.json(200, "{}");
        });
    long execution;
    try {
      Http.Answer started =
          http.post(
              path() + "/executions", memberToken, "{\"task_id\": " + task + ", \"action_id\": 2}");
      assertThat(started.status()).as(started.text()).isEqualTo(201);
      execution = started.json().get("id").asLong();
      Recorded held = app.take(Duration.ofSeconds(10)); // Finish is calling the CRM, and waits
      assertThat(held.path()).isEqualTo("/crm");

      // Meanwhile version 2 sends the calls elsewhere with other keys, renames Plan (which
      // Finish sets) and drops the stage move.
      ObjectNode w = shown();
      step(w, 1, 0).put("url", app.url("/crm/v2").toString());
      ObjectNode billing = step(w, 1, 3);
      billing.put("url", app.url("/billing/v2").toString());
      ((ObjectNode) billing.get("headers")).put("X-Billing-Key", "billing-secret-2");
      field(w, "Plan").put("name", "Subscription");
      ((ObjectNode) step(w, 1, 1).get("values")).remove("Plan");
      ((ObjectNode) step(w, 1, 1).get("values")).put("Subscription", "Pro");
      ((ArrayNode) w.get("actions").get(1).get("steps")).remove(2);
      Http.Answer saved = put(w, adminToken);
      assertThat(saved.status()).as(saved.text()).isEqualTo(200);
      assertThat(saved.json().get("version").asInt()).isEqualTo(2);
    } finally {
      release.countDown();
    }

    JsonNode done = finished(execution);

    // The steps after the PUT ran as version 1 defined them ...
    assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("Succeeded");
    assertThat(done.get("workflow_version").asInt()).isEqualTo(1);
    assertThat(done.get("steps")).hasSize(4);
    Recorded billing = app.take(Duration.ofSeconds(5));
    assertThat(billing.path()).isEqualTo("/billing");
    assertThat(billing.method()).isEqualTo("PUT");
    assertThat(billing.header("X-Billing-Key")).isEqualTo("billing-secret-1");
    JsonNode sent = Json.read(billing.bodyText()).get("task");
    assertThat(sent.get("Plan").asText()).isEqualTo("Pro");
    assertThat(sent.get("Stage").asText()).isEqualTo("Completed");
    // ... and their changes landed in the task, in the fields as version 2 names them.
    JsonNode after = task(task);
    assertThat(after.get("stage").asText()).isEqualTo("Completed");
    assertThat(after.get("fields").get("Subscription").asText()).isEqualTo("Pro");
    assertThat(after.get("fields").has("Plan")).isFalse();

    // A run started now is on version 2.
    long other = createTask("\"Company Name\": \"Globex\"");
    assertThat(runToEnd(other, 1).get("status").asText()).isEqualTo("Succeeded");
    JsonNode second = runToEnd(other, 2);
    assertThat(second.get("workflow_version").asInt()).isEqualTo(2);
    assertThat(second.get("steps")).hasSize(3);
    assertThat(app.take(Duration.ofSeconds(5)).path()).isEqualTo("/crm/v2");
    Recorded billing2 = app.take(Duration.ofSeconds(5));
    assertThat(billing2.path()).isEqualTo("/billing/v2");
    assertThat(billing2.header("X-Billing-Key")).isEqualTo("billing-secret-2");
    assertThat(task(other).get("stage").asText()).isEqualTo("Active");
  }

  @Test
  void renamingAFieldOrAStageKeepsTheTasksData() throws Exception {
    long acme =
        createTask("\"Company Name\": \"Acme Corp\", \"Company ID\": \"42\", \"Plan\": \"Basic\"");
    long globex = createTask("\"Company Name\": \"Globex\", \"Company ID\": \"43\"");
    assertThat(runToEnd(globex, 1).get("status").asText()).isEqualTo("Succeeded");

    ObjectNode w = shown();
    assertThat(field(w, "Company Name").get("id").asText()).isEqualTo("Company Name");
    field(w, "Company Name").put("name", "Customer");
    field(w, "Company ID").put("name", "Customer ID");
    w.put("unique_field", "Customer ID");
    ((ObjectNode) w.get("stages").get(1)).put("name", "In progress");
    ((ArrayNode) w.get("actions").get(0).get("stages")).removeAll().add("Lead");
    ((ObjectNode) step(w, 0, 0)).put("stage", "In progress");
    ((ArrayNode) w.get("actions").get(1).get("stages")).removeAll().add("In progress");
    Http.Answer saved = put(w, adminToken);
    assertThat(saved.status()).as(saved.text()).isEqualTo(200);

    JsonNode a = task(acme);
    assertThat(a.get("fields"))
        .isEqualTo(
            Json.read(
                "{\"Customer\": \"Acme Corp\", \"Customer ID\": \"42\", \"Plan\": \"Basic\"}"));
    assertThat(task(globex).get("stage").asText()).isEqualTo("In progress");
    assertThat(saved.json().get("fields").get(0).get("id").asText()).isEqualTo("Company Name");
    assertThat(saved.json().get("stages").get(1).get("id").asText()).isEqualTo("Active");
    // Filters, the Unique ID and actions work by the new names.
    JsonNode found = ok(http.get(path() + "/tasks?Customer=Acme%20Corp", memberToken));
    assertThat(found.get("items")).extracting(t -> t.get("id").asLong()).containsExactly(acme);
    JsonNode inProgress = ok(http.get(path() + "/tasks?Stage=In%20progress", memberToken));
    assertThat(inProgress.get("items"))
        .extracting(t -> t.get("id").asLong())
        .containsExactly(globex);
    Http.Answer clash =
        http.post(
            path() + "/tasks",
            memberToken,
            "{\"fields\": {\"Customer\": \"Acme again\", \"Customer ID\": \"42\"}}");
    assertThat(clash.status()).isEqualTo(409);
    assertThat(clash.json().get("message").asText())
        .isEqualTo("task " + acme + " already has Customer ID 42: it is the workflow's Unique ID");
    ok(
        http.send(
            "PATCH",
            path() + "/tasks/" + acme,
            memberToken,
            "{\"fields\": {\"Customer\": \"Acme Inc\"}}"));
    assertThat(task(acme).get("fields").get("Customer ID").asText()).isEqualTo("42");
    assertThat(runToEnd(acme, 1).get("status").asText()).isEqualTo("Succeeded");
    assertThat(task(acme).get("stage").asText()).isEqualTo("In progress");

    // A field removed and added again is a new field: the old values do not come back.
    ObjectNode v2 = shown();
    ((ArrayNode) v2.get("fields")).remove(3);
    ((ArrayNode) v2.get("actions").get(1).get("steps")).remove(1); // it set Plan
    ok(put(v2, adminToken));
    ObjectNode v3 = shown();
    ((ArrayNode) v3.get("fields"))
        .addObject()
        .put("name", "Plan")
        .put("type", "choice")
        .putArray("choices")
        .add("Gold");
    JsonNode readded = ok(put(v3, adminToken));
    assertThat(readded.get("version").asInt()).isEqualTo(4);
    assertThat(field((ObjectNode) readded, "Plan").get("id").asText()).isEqualTo("Plan (2)");
    assertThat(task(acme).get("fields").has("Plan")).isFalse();
  }

  @Test
  void aDefinitionThatDoesNotFitAnswers422NamingTheFieldAndChangesNothing() {
    long acme =
        createTask("\"Company Name\": \"Acme Corp\", \"Company ID\": \"42\", \"Plan\": \"Basic\"");
    createTask("\"Company Name\": \"Globex\", \"Company ID\": \"43\", \"Contract Value\": 500");
    ObjectNode w = shown();
    step(w, 1, 0).put("url", "ftp://crm.example.com");
    ObjectNode headers = (ObjectNode) step(w, 1, 3).get("headers");
    headers.put("X-New", "[redacted]");
    headers.put("Content-Type", "text/plain");
    field(w, "Contract Value").put("type", "text");
    field(w, "Plan").putArray("choices").add("Pro");
    field(w, "Company ID").put("id", "no such field");
    ((ArrayNode) w.get("stages")).remove(0);
    ((ArrayNode) w.get("actions").get(0).get("stages")).removeAll();

    Http.Answer refused = put(w, adminToken);

    assertThat(refused.status()).as(refused.text()).isEqualTo(422);
    JsonNode errors = refused.json().get("errors");
    assertThat(errors.get("actions[1].steps[0].url").get(0).asText())
        .isEqualTo("must be an absolute http or https URL");
    assertThat(errors.get("actions[1].steps[3].headers").get(0).asText())
        .isEqualTo("'Content-Type' cannot be set by a step");
    assertThat(errors.fieldNames())
        .toIterable()
        .doesNotContain("actions[1].steps[3].headers.X-New");
    // Parse errors come first; the rest once the definition reads.
    ObjectNode again = shown();
    ((ObjectNode) step(again, 1, 3).get("headers")).put("X-New", "[redacted]");
    field(again, "Contract Value").put("type", "text");
    field(again, "Plan").putArray("choices").add("Pro");
    field(again, "Company ID").put("id", "no such field");
    ((ArrayNode) again.get("stages")).remove(0);
    ((ArrayNode) again.get("actions").get(0).get("stages")).removeAll();
    step(again, 0, 0).put("stage", "Active");
    Http.Answer stranded = put(again, adminToken);
    assertThat(stranded.status()).as(stranded.text()).isEqualTo(422);
    errors = stranded.json().get("errors");
    assertThat(errors.fieldNames())
        .toIterable()
        .as(stranded.text())
        .containsExactlyInAnyOrder(
            "actions[1].steps[3].headers.X-New",
            "fields[2].type",
            "fields[3].choices",
            "fields[1].id",
            "stages");
    assertThat(errors.get("actions[1].steps[3].headers.X-New").get(0).asText())
        .isEqualTo("is [redacted], but this step has no saved value of it: give its value");
    assertThat(errors.get("fields[2].type").get(0).asText())
        .isEqualTo(
            "cannot change from number to text: tasks hold values of Contract Value;"
                + " add a new field instead");
    assertThat(errors.get("fields[3].choices").get(0).asText())
        .isEqualTo("must keep 'Basic': tasks hold it");
    assertThat(errors.get("fields[1].id").get(0).asText())
        .isEqualTo("is not a field of this workflow: leave it out for a new field");
    assertThat(errors.get("stages").get(0).asText())
        .isEqualTo("must keep Lead: tasks are in it; move them to another stage first");

    // A kept header whose step now goes to another host must be given again.
    ObjectNode elsewhere = shown();
    step(elsewhere, 1, 0).put("url", "http://localhost:" + app.url("/").getPort() + "/crm");
    Http.Answer moved = put(elsewhere, adminToken);
    assertThat(moved.status()).isEqualTo(422);
    assertThat(
            moved
                .json()
                .get("errors")
                .get("actions[1].steps[0].headers.Authorization")
                .get(0)
                .asText())
        .isEqualTo("is [redacted], but the URL now goes to another host: give its value again");

    // A Unique ID two tasks already share cannot be chosen.
    ObjectNode shared = shown();
    shared.put("unique_field", "Company Name");
    ok(
        http.send(
            "PATCH",
            path() + "/tasks/" + acme,
            memberToken,
            "{\"fields\": {\"Company Name\": \"Globex\"}}"));
    Http.Answer sharing = put(shared, adminToken);
    assertThat(sharing.status()).isEqualTo(422);
    assertThat(sharing.json().get("errors").get("unique_field").get(0).asText())
        .startsWith("cannot be Company Name: tasks ");

    // A change made to an older version, by a member, or of another workspace's workflow.
    ObjectNode stale = shown();
    stale.put("version", 7);
    Http.Answer conflict = put(stale, adminToken);
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.json().get("message").asText())
        .isEqualTo(
            "the workflow was saved meanwhile: it is at version 1 now; reload it and make the"
                + " change again");
    assertThat(put(shown(), memberToken).status()).isEqualTo(403);
    String stranger =
        server.backchannel().directory().bootstrap("Other", "Sam", "sam@example.com").secret();
    assertThat(put(shown(), stranger).status()).isEqualTo(404);
    assertThat(http.get(path() + "/versions", stranger).status()).isEqualTo(404);

    JsonNode still = shown();
    assertThat(still.get("version").asInt()).isEqualTo(1);
    assertThat(ok(http.get(path() + "/versions", adminToken))).hasSize(1);
  }

  @Test
  void aNewWorkflowCannotTakeRedactedAsAHeaderValue() {
    Http.Answer refused =
        http.post(
            "/api/v1/workflows",
            adminToken,
            """
            {"name": "Copy", "app_id": %d, "fields": [], "stages": [{"name": "Open"}],
             "actions": [{"name": "Go", "steps": [
               {"type": "api_call", "url": "https://crm.example.com",
                "headers": {"Authorization": "[redacted]"}}]}]}
            """
                .formatted(appId));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().get("errors").get("actions[0].steps[0].headers.Authorization"))
        .isEqualTo(Json.read("[\"is [redacted]: give its value\"]"));
  }
}
