package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.Json;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workflows.ActionDef;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workflows.WorkflowStore;
import org.backchannel.core.workspace.User;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.RecordingReceiver.Recorded;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflows end to end over HTTP against a real server, store and receiver: tasks, filters, the
 * Unique ID, permissions, and actions whose API Call steps reach the team's system signed, may
 * change the task, and leave it untouched when they fail. Runs once per store.
 */
abstract class WorkflowsContract extends ServerFixture {
  long workflowId;
  long ottoId;

  /**
   * The seed's deal workflow: Start assigns and activates; Finish completes and calls out twice.
   */
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
           {"name": "Finish", "stages": ["Active"], "roles": ["admin"], "users": [%d],
            "requirements": ["Contract Value"],
            "steps": [
              {"type": "move_to_stage", "stage": "Completed"},
              {"type": "api_call", "url": "%s", "headers": {"Authorization": "Bearer crm-secret-1"}},
              {"type": "set_fields", "values": {"Plan": "Pro"}},
              {"type": "api_call", "url": "%s", "method": "PUT",
               "headers": {"X-Billing-Key": "billing-secret-2"}}]}]}
        """
        .formatted(appId, memberId, app.url("/crm"), app.url("/billing"));
  }

  @Override
  void configure(Map<String, String> settings) {
    // Some tests hold an API call open while they act; a busy machine must not time it out.
    settings.put("interactive_timeout", "20s");
  }

  /**
   * Holds the app's answers to {@code path} until closed, so that the execution making the call
   * stays running meanwhile; other paths are answered at once.
   */
  final class Held implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    Held(String path) {
      app.answer(
          r -> {
            if (r.path().equals(path)) {
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return Answer.json(200, "{}");
          });
    }

    @Override
    public void close() {
      release.countDown();
    }
  }

  @BeforeEach
  void defineWorkflow() {
    workflowId = ok(http.post("/api/v1/workflows", adminToken, definition())).get("id").asLong();
    ottoId = ok(http.get("/api/v1/me", outsiderToken)).get("id").asLong();
  }

  String acme = taskJson("Acme Corp", "42", "\"Contract Value\": 10000,");

  static String taskJson(String name, String companyId, String more) {
    return """
        {"fields": {"Company Name": "%s", "Company ID": "%s", %s
          "Number of Employees": "20", "International?": false,
          "Expected Close Date": "2020-01-31"}}
        """
        .formatted(name, companyId, more);
  }

  long createTask(String json) {
    return ok(http.post(tasksPath(), memberToken, json)).get("id").asLong();
  }

  String tasksPath() {
    return "/api/v1/workflows/" + workflowId + "/tasks";
  }

  JsonNode task(long id) {
    return ok(http.get(tasksPath() + "/" + id, memberToken));
  }

  Http.Answer run(long task, int action, String token) {
    return http.post(
        "/api/v1/workflows/" + workflowId + "/executions",
        token,
        "{\"task_id\": " + task + ", \"action_id\": " + action + "}");
  }

  /**
   * Runs an action and waits for the runner to finish it; answers the execution as the API shows
   * it.
   */
  JsonNode runToEnd(long task, int action, String token) throws Exception {
    Http.Answer started = run(task, action, token);
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    long id = started.json().get("id").asLong();
    server.backchannel().workflows().completion(id).get(10, TimeUnit.SECONDS);
    return ok(http.get("/api/v1/executions/" + id, token));
  }

  /** A task started by the member: assigned to them and active. */
  long activeAcme() throws Exception {
    long task = createTask(acme);
    assertThat(runToEnd(task, 1, memberToken).get("status").asText()).isEqualTo("Succeeded");
    return task;
  }

  @Test
  void anActionWithTwoApiCallsSucceedsAndTheAnswersPatchTheTask() throws Exception {
    long task = activeAcme();
    app.answer(
        r ->
            r.path().equals("/crm")
                ? Answer.json(
                    200,
                    "{\"task\": {\"Expected Close Date\": \"2020-02-01\","
                        + " \"Contract Value\": \"12000\"}}")
                : Answer.json(200, "{\"task\": {\"Number of Employees\": 25}}"));

    Http.Answer started = run(task, 2, memberToken);

    assertThat(started.status()).isEqualTo(201);
    long id = started.json().get("id").asLong();
    assertThat(started.json())
        .isEqualTo(Json.read("{\"id\": " + id + ", \"status\": \"Pending\"}"));
    server.backchannel().workflows().completion(id).get(10, TimeUnit.SECONDS);
    JsonNode execution = ok(http.get("/api/v1/executions/" + id, memberToken));
    assertThat(execution.get("status").asText()).isEqualTo("Succeeded");
    assertThat(execution.get("steps")).hasSize(4);

    Recorded crm = app.take(Duration.ofSeconds(5));
    assertThat(crm.method()).isEqualTo("POST");
    assertThat(crm.path()).isEqualTo("/crm");
    assertThat(crm.header("Content-Type")).isEqualTo("application/json");
    assertThat(crm.header("Authorization")).isEqualTo("Bearer crm-secret-1");
    // The seed's forms, in the seed's order: Stage, Assigned To, then the fields as defined;
    // numbers as text.
    assertThat(crm.bodyText())
        .isEqualTo(
            Json.write(
                Json.read(
                    """
                    {"action": "Finish",
                     "user": {"id": "%d", "email": "mia@example.com", "first_name": "Mia", "last_name": "Member"},
                     "task": {"Stage": "Completed", "Assigned To": "mia@example.com",
                       "Company Name": "Acme Corp", "Company ID": "42", "Number of Employees": "20",
                       "Contract Value": "10000", "International?": false,
                       "Expected Close Date": "2020-01-31", "Plan": null}}
                    """
                        .formatted(memberId))));
    StandardWebhooks.verify(
        crm::header, crm.body(), List.of(AppSecret.of(appSecret)), NOW, Duration.ofMinutes(5));

    // The second call sees what the steps before it changed, the first answer included.
    Recorded billing = app.take(Duration.ofSeconds(5));
    assertThat(billing.method()).isEqualTo("PUT");
    assertThat(billing.header("X-Billing-Key")).isEqualTo("billing-secret-2");
    JsonNode sent = Json.MAPPER.readTree(billing.body()).get("task");
    assertThat(sent.get("Expected Close Date").asText()).isEqualTo("2020-02-01");
    assertThat(sent.get("Plan").asText()).isEqualTo("Pro");

    JsonNode fields = task(task).get("fields");
    assertThat(task(task).get("stage").asText()).isEqualTo("Completed");
    assertThat(fields.get("Expected Close Date").asText()).isEqualTo("2020-02-01");
    assertThat(fields.get("Number of Employees").asInt()).isEqualTo(25);
    // A number is taken as text, as the seed writes it, or as a JSON number.
    assertThat(fields.get("Contract Value").asInt()).isEqualTo(12000);
    assertThat(fields.get("Plan").asText()).isEqualTo("Pro");

    // Each call is a recorded delivery; the step's headers are redacted in it.
    JsonNode first = execution.get("steps").get(1);
    assertThat(first.get("outcome").asText()).isEqualTo("succeeded");
    JsonNode delivery =
        ok(http.get("/api/v1/deliveries/" + first.get("delivery_id").asLong(), adminToken));
    assertThat(delivery.get("contract").asText()).isEqualTo("flowdash");
    JsonNode headers = delivery.get("attempts").get(0).get("request").get("headers");
    assertThat(headers.get("Authorization").asText()).isEqualTo("[redacted]");
    assertThat(delivery.toString()).doesNotContain("crm-secret-1");
    long second = execution.get("steps").get(3).get("delivery_id").asLong();
    assertThat(ok(http.get("/api/v1/deliveries/" + second, adminToken)).toString())
        .doesNotContain("billing-secret-2")
        .contains("\"X-Billing-Key\":\"[redacted]\"");

    // Nor does the workflow ever show a header value.
    String shown = ok(http.get("/api/v1/workflows/" + workflowId, memberToken)).toString();
    assertThat(shown).contains("\"Authorization\":\"[redacted]\"").doesNotContain("crm-secret-1");
  }

  @Test
  void aFailureAtTheSecondCallAbortsTheActionAndLeavesTheTaskExactlyAsBefore() throws Exception {
    long task = activeAcme();
    JsonNode before = task(task);
    app.answer(
        r ->
            r.path().equals("/crm")
                ? Answer.json(
                    200,
                    "{\"task\": {\"Expected Close Date\": \"2020-02-01\","
                        + " \"Contract Value\": \"12000\"}}")
                : Answer.json(503, "{\"error\": \"billing is down\"}"));

    JsonNode execution = runToEnd(task, 2, memberToken);

    assertThat(execution.get("status").asText()).isEqualTo("Failed");
    assertThat(execution.get("failed_step").asInt()).isEqualTo(3);
    assertThat(execution.get("reason").asText()).contains("503").contains("billing is down");
    JsonNode failed = execution.get("steps").get(3);
    assertThat(failed.get("outcome").asText()).isEqualTo("failed");
    assertThat(
            ok(http.get("/api/v1/deliveries/" + failed.get("delivery_id").asLong(), adminToken))
                .get("state")
                .asText())
        .isEqualTo("failed");
    assertThat(task(task)).isEqualTo(before);
    assertThat(app.requests()).hasSize(2);
  }

  @Test
  void anInvalidTaskAnswerFailsTheStepWithTheReason() throws Exception {
    long task = activeAcme();
    JsonNode before = task(task);
    app.answer(
        Answer.json(200, "{\"task\": {\"Number of Employees\": \"many\", \"Plan\": \"Gold\"}}"));

    JsonNode execution = runToEnd(task, 2, memberToken);

    assertThat(execution.get("status").asText()).isEqualTo("Failed");
    assertThat(execution.get("failed_step").asInt()).isEqualTo(1);
    assertThat(execution.get("reason").asText())
        .contains("Number of Employees must be a number")
        .contains("Plan must be one of [Basic, Pro]");
    assertThat(task(task)).isEqualTo(before);
    assertThat(app.requests()).hasSize(1);
  }

  @Test
  void unmetRequirementsAnswer422AndRunNothing() throws Exception {
    Http.Answer missing = http.post(tasksPath(), memberToken, "{\"fields\": {\"Plan\": \"Gold\"}}");
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.json().get("errors").get("Company Name").get(0).asText())
        .isEqualTo("is required");
    assertThat(missing.json().get("errors").get("Plan").get(0).asText())
        .isEqualTo("must be one of [Basic, Pro]");

    long task = createTask(taskJson("Initech", "7", ""));
    assertThat(runToEnd(task, 1, memberToken).get("status").asText()).isEqualTo("Succeeded");
    Http.Answer finish = run(task, 2, memberToken);

    assertThat(finish.status()).isEqualTo(422);
    assertThat(finish.json().get("errors").get("Contract Value").get(0).asText())
        .isEqualTo("is required by the action Finish");
    Http.Answer wrongStage = run(createTask(taskJson("Hooli", "8", "")), 2, memberToken);
    assertThat(wrongStage.status()).isEqualTo(422);
    assertThat(wrongStage.json().get("errors").get("action_id").get(0).asText())
        .isEqualTo("Finish is not available in stage Lead");
    assertThat(app.requests()).isEmpty();
  }

  @Test
  void aBrokenDefinitionAnswers400WithEveryReason() {
    Http.Answer broken =
        http.post(
            "/api/v1/workflows",
            adminToken,
            """
            {"name": "Broken", "app_id": %d,
             "fields": [{"name": "Stage", "type": "colour"}],
             "stages": [{"name": "Open"}],
             "actions": [{"name": "Go", "stages": ["Closed"],
               "steps": [{"type": "api_call", "url": "ftp://x", "headers": {"Content-Type": "text/plain"}}]}]}
            """
                .formatted(appId));

    assertThat(broken.status()).isEqualTo(400);
    JsonNode errors = broken.json().get("errors");
    assertThat(errors.get("fields[0].name").get(0).asText()).isEqualTo("is reserved for the stage");
    assertThat(errors.get("fields[0].type")).isNotNull();
    assertThat(errors.get("actions[0].stages").get(0).asText())
        .isEqualTo("'Closed' is not a stage");
    assertThat(errors.get("actions[0].steps[0].url")).isNotNull();
    assertThat(errors.get("actions[0].steps[0].headers").get(0).asText())
        .isEqualTo("'Content-Type' cannot be set by a step");
  }

  @Test
  void aUniqueIdNoTwoTasksMayShare() {
    long first = createTask(acme);

    Http.Answer duplicate = http.post(tasksPath(), memberToken, taskJson("Acme Again", "42", ""));

    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.json().get("message").asText())
        .isEqualTo("task " + first + " already has Company ID 42: it is the workflow's Unique ID");
    long other = createTask(taskJson("Globex", "43", ""));
    Http.Answer clash =
        http.send(
            "PATCH",
            tasksPath() + "/" + other,
            memberToken,
            "{\"fields\": {\"Company ID\": \"42\"}}");
    assertThat(clash.status()).isEqualTo(409);
    assertThat(task(other).get("fields").get("Company ID").asText()).isEqualTo("43");
  }

  @Test
  void tasksFilterOnAnyFieldAndActiveTasksLeaveOutEndStages() {
    long acmeTask = createTask(acme);
    long globex = createTask(taskJson("Globex", "43", "\"Contract Value\": 500,"));
    long initech = createTask(taskJson("Initech", "44", ""));
    ok(http.send("PATCH", tasksPath() + "/" + initech, memberToken, "{\"stage\": \"Completed\"}"));

    assertThat(ids(tasksPath() + "?Company%20Name=Acme%20Corp")).containsExactly(acmeTask);
    assertThat(ids(tasksPath() + "?Contract%20Value=10000.00")).containsExactly(acmeTask);
    assertThat(ids(tasksPath() + "?International%3F=false"))
        .containsExactly(initech, globex, acmeTask);
    assertThat(ids(tasksPath() + "?Stage=Completed")).containsExactly(initech);
    assertThat(ids(tasksPath() + "?Company%20ID=43&Stage=Lead")).containsExactly(globex);
    assertThat(ids(tasksPath() + "/active")).containsExactly(globex, acmeTask);
    assertThat(ids(tasksPath() + "/active?limit=1")).containsExactly(globex);

    Http.Answer unknown = http.get(tasksPath() + "?Colour=red", memberToken);
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().get("errors").get("Colour").get(0).asText())
        .isEqualTo("is not a field of this workflow");
  }

  @Test
  void aDeactivatedPersonStaysOnTheirTasksButCannotBeNewlyAssigned() {
    long task = createTask(taskJson("Acme Corp", "42", "\"Assigned To\": \"otto@example.com\","));
    ok(http.post("/api/v1/users/" + ottoId + "/deactivate", adminToken, ""));

    assertThat(task(task).get("fields").get("Assigned To").asText()).isEqualTo("otto@example.com");
    assertThat(ids(tasksPath() + "?Assigned%20To=" + ottoId)).containsExactly(task);
    // A change that sends the field back as it was keeps them.
    ok(
        http.send(
            "PATCH",
            tasksPath() + "/" + task,
            memberToken,
            "{\"fields\": {\"Assigned To\": \"otto@example.com\", \"Contract Value\": 5}}"));
    assertThat(task(task).get("fields").get("Assigned To").asText()).isEqualTo("otto@example.com");

    Http.Answer assign =
        http.post(
            tasksPath(), memberToken, taskJson("Globex", "43", "\"Assigned To\": " + ottoId + ","));
    assertThat(assign.status()).isEqualTo(422);
    assertThat(assign.json().get("errors").get("Assigned To").get(0).asText())
        .isEqualTo("is a deactivated person");
    assertThat(ids(tasksPath() + "?Company%20ID=43")).isEmpty();
  }

  List<Long> ids(String path) {
    return ok(http.get(path, memberToken)).get("items").findValues("id").stream()
        .map(JsonNode::asLong)
        .toList();
  }

  @Test
  void aPersonNotAllowedCannotRunTheActionAndOtherWorkspacesSeeNothing() throws Exception {
    long task = activeAcme();

    Http.Answer otto = run(task, 2, outsiderToken);

    assertThat(otto.status()).isEqualTo(403);
    assertThat(otto.json().get("message").asText()).isEqualTo("Otto may not run the action Finish");
    assertThat(
            ok(http.get(tasksPath() + "/" + task + "/actions", outsiderToken))
                .findValuesAsText("name"))
        .isEmpty();
    assertThat(
            ok(http.get(tasksPath() + "/" + task + "/actions", memberToken))
                .findValuesAsText("name"))
        .containsExactly("Finish");
    // A member may not act for someone else; an admin may, as someone who is allowed.
    Http.Answer forAdmin =
        http.post(
            "/api/v1/workflows/" + workflowId + "/executions",
            memberToken,
            "{\"task_id\": " + task + ", \"action_id\": 2, \"performed_by\": 1}");
    assertThat(forAdmin.status()).isEqualTo(403);
    Http.Answer forOtto =
        http.post(
            "/api/v1/workflows/" + workflowId + "/executions",
            adminToken,
            "{\"task_id\": " + task + ", \"action_id\": 2, \"performed_by\": " + ottoId + "}");
    assertThat(forOtto.status()).isEqualTo(403);
    assertThat(app.requests()).isEmpty();

    Http.Answer define = http.post("/api/v1/workflows", memberToken, definition());
    assertThat(define.status()).isEqualTo(403);

    String stranger =
        server.backchannel().directory().bootstrap("Other", "Sam", "sam@example.com").secret();
    assertThat(http.get("/api/v1/workflows/" + workflowId, stranger).status()).isEqualTo(404);
    assertThat(http.get(tasksPath() + "/" + task, stranger).status()).isEqualTo(404);
    assertThat(run(task, 2, stranger).status()).isEqualTo(404);
    long execution = run(task, 2, memberToken).json().get("id").asLong();
    server.backchannel().workflows().completion(execution).get(10, TimeUnit.SECONDS);
    assertThat(http.get("/api/v1/executions/" + execution, stranger).status()).isEqualTo(404);
    assertThat(ok(http.get("/api/v1/workflows", stranger))).isEmpty();
  }

  @Test
  void aStartRunsWhatAStopLeftPendingAndFailsWhatItLeftRunning() throws Exception {
    long task = activeAcme();
    JsonNode before = task(task);
    // Another task: one action runs at most once at a time on a task.
    long other = createTask(taskJson("Globex", "43", "\"Contract Value\": 500,"));
    assertThat(runToEnd(other, 1, memberToken).get("status").asText()).isEqualTo("Succeeded");
    Workflow workflow = server.backchannel().workflows().workflow(admin(), workflowId);
    ActionDef finish = workflow.action(2).orElseThrow();
    Execution pending =
        store.transaction(
            (Tx tx) ->
                tx.store(WorkflowStore.class)
                    .insertExecution(workflow, task, finish, memberId, NOW));
    Execution running =
        store.transaction(
            (Tx tx) -> {
              Execution e =
                  tx.store(WorkflowStore.class)
                      .insertExecution(workflow, other, finish, memberId, NOW);
              Execution started =
                  e.withProgress(Execution.Status.RUNNING, null, null, List.of(), NOW);
              tx.store(WorkflowStore.class).updateExecution(started, Execution.Status.PENDING);
              return started;
            });

    Map<String, String> settings = Config.defaults();
    settings.put("port", "0");
    settings.put("dev", "true");
    settings.put("secret_key", secretKey);
    try (BackchannelServer restarted =
        BackchannelServer.start(Config.from(settings), store, clock)) {
      Execution done =
          restarted.backchannel().workflows().completion(pending.id()).get(10, TimeUnit.SECONDS);
      assertThat(done.status()).isEqualTo(Execution.Status.SUCCEEDED);
      Execution interrupted =
          restarted.backchannel().workflows().completion(running.id()).get(10, TimeUnit.SECONDS);
      assertThat(interrupted.status()).isEqualTo(Execution.Status.FAILED);
      assertThat(interrupted.reason()).startsWith("interrupted");
    }
    assertThat(app.requests()).hasSize(2);
    assertThat(task(task).get("stage").asText()).isEqualTo("Completed");
    assertThat(before.get("stage").asText()).isEqualTo("Active");
    assertThat(task(other).get("stage").asText()).isEqualTo("Active");
  }

  Http.Answer runWith(String body, String token) {
    return http.post("/api/v1/workflows/" + workflowId + "/executions", token, body);
  }

  JsonNode finished(Http.Answer started, String token) throws Exception {
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    long id = started.json().get("id").asLong();
    server.backchannel().workflows().completion(id).get(10, TimeUnit.SECONDS);
    return ok(http.get("/api/v1/executions/" + id, token));
  }

  @Test
  void aSecondRunOfAnActionStillRunningOnTheTaskIsRefusedWith409() throws Exception {
    long task = activeAcme();
    Http.Answer first;
    Held held = new Held("/crm");
    try {
      first = run(task, 2, memberToken);
      assertThat(first.status()).as(first.text()).isEqualTo(201);
      app.take(Duration.ofSeconds(10)); // the first run is calling the app, and waits there

      Http.Answer again = run(task, 2, memberToken);
      Http.Answer byAdmin = run(task, 2, adminToken);

      String refused =
          "the action Finish is already running on task " + task + ": wait until it has finished";
      assertThat(again.status()).as(again.text()).isEqualTo(409);
      assertThat(again.json()).isEqualTo(Json.read("{\"message\": \"" + refused + "\"}"));
      assertThat(byAdmin.status()).isEqualTo(409);
      assertThat(byAdmin.json().get("message").asText()).isEqualTo(refused);
    } finally {
      held.close();
    }
    assertThat(finished(first, memberToken).get("status").asText()).isEqualTo("Succeeded");
    // Only the first run called the app: /crm, then /billing.
    assertThat(app.requests()).extracting(r -> r.path()).containsExactly("/crm", "/billing");
  }

  @Test
  void startsRacingOnOneTaskRunTheActionOnce() throws Exception {
    long task = activeAcme();
    List<Http.Answer> answers = new ArrayList<>();
    Held held = new Held("/crm");
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Http.Answer>> racing = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String token = i % 2 == 0 ? memberToken : adminToken;
        racing.add(
            pool.submit(
                () -> {
                  go.await();
                  return run(task, 2, token);
                }));
      }
      go.countDown();
      for (Future<Http.Answer> a : racing) {
        answers.add(a.get(30, TimeUnit.SECONDS));
      }
      assertThat(answers).extracting(Http.Answer::status).containsOnly(201, 409);
      assertThat(answers).filteredOn(a -> a.status() == 201).hasSize(1);
      app.take(Duration.ofSeconds(10));
    } finally {
      held.close();
    }
    Http.Answer started = answers.stream().filter(a -> a.status() == 201).findFirst().orElseThrow();
    assertThat(finished(started, memberToken).get("status").asText()).isEqualTo("Succeeded");
    assertThat(app.requests()).extracting(r -> r.path()).containsExactly("/crm", "/billing");
  }

  @Test
  void anActionWritesNothingWhenTheTaskNoLongerAllowsItWhenItFinishes() throws Exception {
    long moved = activeAcme();
    long cleared = createTask(taskJson("Globex", "43", "\"Contract Value\": 500,"));
    assertThat(runToEnd(cleared, 1, memberToken).get("status").asText()).isEqualTo("Succeeded");

    JsonNode movedRun;
    JsonNode clearedRun;
    try (Held held = new Held("/crm")) {
      Http.Answer first = run(moved, 2, memberToken);
      app.take(Duration.ofSeconds(10));
      // While Finish calls the app, someone moves the task back to Lead ...
      ok(http.send("PATCH", tasksPath() + "/" + moved, memberToken, "{\"stage\": \"Lead\"}"));
      Http.Answer second = run(cleared, 2, memberToken);
      app.take(Duration.ofSeconds(10));
      // ... and clears the other task's Contract Value, which Finish requires.
      ok(
          http.send(
              "PATCH",
              tasksPath() + "/" + cleared,
              memberToken,
              "{\"fields\": {\"Contract Value\": null}}"));
      held.close();
      movedRun = finished(first, memberToken);
      clearedRun = finished(second, memberToken);
    }

    assertThat(movedRun.get("status").asText()).isEqualTo("Failed");
    assertThat(movedRun.get("reason").asText())
        .isEqualTo(
            "the task moved to stage Lead meanwhile, where Finish is not available;"
                + " the task was not changed");
    assertThat(task(moved).get("stage").asText()).isEqualTo("Lead");
    assertThat(task(moved).get("fields").has("Plan")).isFalse();
    assertThat(clearedRun.get("status").asText()).isEqualTo("Failed");
    assertThat(clearedRun.get("reason").asText())
        .isEqualTo(
            "Contract Value was cleared meanwhile: required by the action Finish;"
                + " the task was not changed");
    assertThat(task(cleared).get("stage").asText()).isEqualTo("Active");
    assertThat(task(cleared).get("fields").has("Plan")).isFalse();
  }

  @Test
  void anAdminCannotRunAnActionAsADeactivatedPerson() throws Exception {
    long task = activeAcme(); // Mia may run Finish: she is one of its users
    ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));

    Http.Answer byId =
        runWith(
            "{\"task_id\": " + task + ", \"action_id\": 2, \"performed_by\": " + memberId + "}",
            adminToken);
    Http.Answer byEmail =
        runWith(
            "{\"task_id\": " + task + ", \"action_id\": 2, \"performed_by\": \"MIA@example.com\"}",
            adminToken);

    assertThat(byId.status()).as(byId.text()).isEqualTo(409);
    assertThat(byId.json())
        .isEqualTo(Json.read("{\"message\": \"user " + memberId + " is deactivated\"}"));
    assertThat(byEmail.status()).isEqualTo(409);
    assertThat(byEmail.json().get("message").asText())
        .isEqualTo("user " + memberId + " is deactivated");
    assertThat(app.requests()).isEmpty();
    assertThat(ok(http.get(tasksPath() + "/" + task, adminToken)).get("stage").asText())
        .isEqualTo("Active");
  }

  @Test
  void idsAsTextAPersonByEmailAndAnEmptyFilterAreUnderstood() throws Exception {
    long acmeTask = createTask(acme);
    long globex = createTask(taskJson("Globex", "43", "\"Contract Value\": 500,"));

    // Ids as text, as spreadsheets and forms send them.
    JsonNode start =
        finished(
            runWith("{\"task_id\": \"" + acmeTask + "\", \"action_id\": \"1\"}", memberToken),
            memberToken);
    assertThat(start.get("status").asText()).isEqualTo("Succeeded");
    assertThat(start.get("task_id").asLong()).isEqualTo(acmeTask);
    assertThat(start.get("action_id").asInt()).isEqualTo(1);

    // The empty filter value finds the tasks nobody is assigned to.
    assertThat(ids(tasksPath() + "?Assigned%20To=")).containsExactly(globex);
    assertThat(ids(tasksPath() + "?Assigned%20To=mia%40example.com")).containsExactly(acmeTask);
    assertThat(ids(tasksPath() + "/active?Assigned%20To=&Stage=Lead")).containsExactly(globex);

    // performed_by by email: an admin for Mia, and Mia naming herself.
    JsonNode forMia =
        finished(
            runWith(
                "{\"task_id\": "
                    + acmeTask
                    + ", \"action_id\": 2, \"performed_by\": \"Mia@Example.com\"}",
                adminToken),
            adminToken);
    assertThat(forMia.get("status").asText()).isEqualTo("Succeeded");
    assertThat(forMia.get("performed_by").asLong()).isEqualTo(memberId);
    Recorded crm = app.take(Duration.ofSeconds(5));
    assertThat(Json.MAPPER.readTree(crm.body()).get("user").get("email").asText())
        .isEqualTo("mia@example.com");
    JsonNode herself =
        finished(
            runWith(
                "{\"task_id\": "
                    + globex
                    + ", \"action_id\": 1, \"performed_by\": \"mia@example.com\"}",
                memberToken),
            memberToken);
    assertThat(herself.get("status").asText()).isEqualTo("Succeeded");
    assertThat(herself.get("performed_by").asLong()).isEqualTo(memberId);

    // Bad values are still refused, naming the field.
    Http.Answer bad =
        runWith("{\"task_id\": \"12abc\", \"action_id\": 1.5, \"performed_by\": true}", adminToken);
    assertThat(bad.status()).as(bad.text()).isEqualTo(422);
    JsonNode errors = bad.json().get("errors");
    assertThat(errors.get("task_id").get(0).asText())
        .isEqualTo("must be a non-negative whole number, such as 12 or \"12\"");
    assertThat(errors.get("action_id").get(0).asText())
        .isEqualTo("must be a non-negative whole number, such as 12 or \"12\"");
    assertThat(errors.get("performed_by").get(0).asText())
        .isEqualTo("must be a person's user id or email");
    Http.Answer nobody =
        runWith(
            "{\"task_id\": "
                + acmeTask
                + ", \"action_id\": 2, \"performed_by\": \"nobody@example.com\"}",
            adminToken);
    assertThat(nobody.status()).isEqualTo(422);
    assertThat(nobody.json().get("errors").get("performed_by").get(0).asText())
        .isEqualTo("is not a person in this workspace");
    Http.Answer negative = runWith("{\"task_id\": -1, \"action_id\": \"-2\"}", adminToken);
    assertThat(negative.status()).isEqualTo(422);
    assertThat(negative.json().get("errors").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("task_id", "action_id");
  }

  static Answer text(int status, String type, String body) {
    return new Answer(
        status, Map.of("Content-Type", type), body.getBytes(StandardCharsets.UTF_8), false);
  }

  @Test
  void theAppsAnswerIsReadAsJsonWhateverItsTypeAndAPlainTextFailureIsQuoted() throws Exception {
    long task = activeAcme();
    app.answer(
        r ->
            r.path().equals("/crm")
                ? text(200, "text/plain", "{\"task\": {\"Expected Close Date\": \"2020-02-01\"}}")
                : text(200, "text/html", "<p>Thanks!</p>"));

    JsonNode done = runToEnd(task, 2, memberToken);

    assertThat(done.get("status").asText()).isEqualTo("Succeeded");
    assertThat(task(task).get("fields").get("Expected Close Date").asText())
        .isEqualTo("2020-02-01");
    assertThat(done.get("steps").get(1).get("detail").asText())
        .isEqualTo("done (HTTP 200); updated Expected Close Date");
    assertThat(done.get("steps").get(3).get("detail").asText())
        .isEqualTo("done (HTTP 200); the answer was unreadable (not JSON), so it changed nothing");

    long other = createTask(taskJson("Globex", "43", "\"Contract Value\": 500,"));
    assertThat(runToEnd(other, 1, memberToken).get("status").asText()).isEqualTo("Succeeded");
    app.answer(
        text(
            503,
            "text/plain; charset=utf-8",
            "Billing is down\r\n\u001b[31mtry later\u202e" + "x".repeat(300)));

    JsonNode failed = runToEnd(other, 2, memberToken);

    assertThat(failed.get("status").asText()).isEqualTo("Failed");
    String quoted = "the app answered HTTP 503: Billing is down [31mtry later " + "x".repeat(170);
    assertThat(failed.get("reason").asText()).isEqualTo(quoted);
    assertThat(failed.get("steps").get(1).get("detail").asText()).isEqualTo(quoted);
  }

  User admin() {
    return server.backchannel().directory().authenticate(adminToken);
  }
}
