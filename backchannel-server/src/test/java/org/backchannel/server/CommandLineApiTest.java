package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.Json;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each command of the command line against a real server, as an operator would use it. */
final class CommandLineApiTest extends ServerFixture {
  @TempDir Path dir;

  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  record Run(int code, String out, String err) {
    JsonNode json() {
      return Json.read(out);
    }
  }

  /** Runs a command as the admin, capturing what it prints. */
  Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", server.url().toString(), "--token", adminToken));
    return raw(all.toArray(String[]::new));
  }

  static synchronized Run raw(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Main.commandLine().execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void endpointsAreCreatedChangedAndEventsPublishedOnceForAnIdempotencyKey() throws Exception {
    Run created =
        cli(
            "endpoints",
            "create",
            "--app",
            Long.toString(appId),
            "--endpoint-url",
            app.url("/hooks").toString(),
            "--event-type",
            "invoice.paid");
    assertThat(created.code).as(created.err).isZero();
    long endpoint = created.json().get("id").asLong();
    assertThat(created.json().get("event_types").toString()).isEqualTo("[\"invoice.paid\"]");

    Run updated =
        cli("endpoints", "update", Long.toString(endpoint), "--fifo", "--max-in-flight", "3");
    assertThat(updated.code).as(updated.err).isZero();
    assertThat(updated.json().get("fifo").asBoolean()).isTrue();
    assertThat(updated.json().get("max_in_flight").asInt()).isEqualTo(3);
    assertThat(cli("endpoints", "enable", Long.toString(endpoint)).code).isZero();

    String[] publish = {
      "events",
      "publish",
      "--app",
      Long.toString(appId),
      "--type",
      "invoice.paid",
      "--data",
      "{\"invoice\":7}",
      "--idempotency-key",
      "invoice-7-paid"
    };
    Run first = cli(publish);
    assertThat(first.code).as(first.err).isZero();
    Run again = cli(publish);
    assertThat(again.json().get("deliveries")).isEqualTo(first.json().get("deliveries"));
    assertThat(first.json().get("deliveries")).hasSize(1);

    Path lines = dir.resolve("events.jsonl");
    Files.writeString(
        lines,
        """
        {"type": "invoice.paid", "data": {"invoice": 8}}
        {"type": "invoice.paid", "data": {"invoice": 9}, "idempotency_key": "invoice-9"}
        """);
    Run many = cli("events", "publish", "--app", Long.toString(appId), "--file", lines.toString());
    assertThat(many.code).as(many.err).isZero();
    assertThat(many.json().get("accepted").asInt()).as("one batch request").isEqualTo(2);
    assertThat(server.backchannel().worker().drain()).isEqualTo(3);
    assertThat(app.requests()).hasSize(3);

    Files.writeString(
        lines,
        """
        {"type": "invoice.paid", "data": {"invoice": 10}}
        {"type": "no spaces", "data": {}}
        """);
    Run partly =
        cli("events", "publish", "--app", Long.toString(appId), "--file", lines.toString());
    assertThat(partly.code).as("an event refused is a client error").isEqualTo(1);
    assertThat(partly.json().get("results").get(1).get("errors").has("type")).isTrue();
    assertThat(server.backchannel().worker().drain()).as("the good one still went").isEqualTo(1);

    Run bad = cli("events", "publish", "--app", Long.toString(appId), "--type", "no spaces");
    assertThat(bad.code).as("a 4xx is a client error").isEqualTo(1);
    assertThat(bad.err).contains("type");
  }

  @Test
  void appsAreRegisteredShownRotatedAndTheirPlatformRegistrationSet() {
    Run registered = cli("apps", "register", "--name", "Todo", "--client-id", "todo");
    assertThat(registered.code).as(registered.err).isZero();
    long id = registered.json().get("id").asLong();
    String secret = registered.json().get("secret").asText();

    Run shown = cli("apps", "show", Long.toString(id));
    assertThat(shown.json().get("name").asText()).isEqualTo("Todo");
    assertThat(shown.out).doesNotContain(secret);

    Run notYet = cli("apps", "activate-secret", Long.toString(id));
    assertThat(notYet.code).as("nothing pending: 409 is a client error").isEqualTo(1);
    assertThat(notYet.err).contains("no pending secret");
    Run rotated = cli("apps", "rotate-secret", Long.toString(id));
    assertThat(rotated.code).as(rotated.err).isZero();
    assertThat(rotated.json().get("secret").asText()).isNotBlank().isNotEqualTo(secret);
    assertThat(rotated.json().get("pending_since").isNull()).isFalse();
    Run activated = cli("apps", "activate-secret", Long.toString(id), "--grace-seconds", "60");
    assertThat(activated.code).as(activated.err).isZero();
    assertThat(activated.json().get("previous_secret_expires_at").asText())
        .isEqualTo(clock.instant().plusSeconds(60).toString());
    assertThat(cli("apps", "activate-secret", Long.toString(id)).code).isEqualTo(1);

    Run set =
        cli(
            "apps",
            "platform",
            "set",
            Long.toString(id),
            "--listener-url",
            "https://todo.example.com/events",
            "--url-pattern",
            "https://todo.example.com/*",
            "--controls",
            "[{\"type\": \"slashCommand\", \"name\": \"todo\"}]");
    assertThat(set.code).as(set.err).isZero();
    JsonNode platform = cli("apps", "platform", Long.toString(id)).json();
    assertThat(platform.get("event_listener_url").asText())
        .isEqualTo("https://todo.example.com/events");
    assertThat(platform.get("url_patterns").get(0).asText())
        .isEqualTo("https://todo.example.com/*");
    assertThat(platform.get("controls").get(0).get("name").asText()).isEqualTo("todo");
  }

  @Test
  void anAppsOAuthClientSettingsAreShownAndReplaced() {
    String id = Long.toString(appId);
    Run unset = cli("apps", "oauth", id);
    assertThat(unset.code).as(unset.err).isZero();
    assertThat(unset.json().get("redirect_uris")).isEmpty();
    assertThat(unset.json().get("client_id").asText()).isEqualTo("gh");

    Run set =
        cli(
            "apps",
            "oauth",
            id,
            "--redirect-uri",
            "https://gh.example.com/callback",
            "--redirect-uri",
            "http://127.0.0.1:9000/callback",
            "--public",
            "--approved",
            "--description",
            "Pull requests in your flow.",
            "--install-url",
            "https://gh.example.com/install");
    assertThat(set.code).as(set.err).isZero();
    JsonNode shown = cli("apps", "oauth", id).json();
    assertThat(shown.get("redirect_uris").toString())
        .isEqualTo("[\"https://gh.example.com/callback\",\"http://127.0.0.1:9000/callback\"]");
    assertThat(shown.get("public_client").asBoolean()).isTrue();
    assertThat(shown.get("approved").asBoolean()).isTrue();
    assertThat(shown.get("description").asText()).isEqualTo("Pull requests in your flow.");

    Run bad = cli("apps", "oauth", id, "--redirect-uri", "https://*.example.com/cb");
    assertThat(bad.code).as("a 400 is a client error").isEqualTo(1);
    assertThat(bad.err).contains("redirect_uris[0]").contains("wildcards");
  }

  @Test
  void workflowsTasksAndExecutions() throws Exception {
    Path definition = dir.resolve("deals.json");
    Files.writeString(
        definition,
        """
        {"name": "Deals", "app_id": %d,
         "fields": [{"name": "Company Name", "type": "text", "required": true},
                    {"name": "Contract Value", "type": "number"}],
         "stages": [{"name": "Lead"}, {"name": "Completed", "end": true}],
         "actions": [{"name": "Finish", "stages": ["Lead"],
                      "steps": [{"type": "move_to_stage", "stage": "Completed"}]}]}
        """
            .formatted(appId));
    Run created = cli("workflows", "create", "--file", definition.toString());
    assertThat(created.code).as(created.err).isZero();
    String workflow = created.json().get("id").asText();
    long action = created.json().get("actions").get(0).get("id").asLong();
    assertThat(cli("workflows").json().get(0).get("name").asText()).isEqualTo("Deals");
    assertThat(cli("workflows", "show", workflow).json().get("stages")).hasSize(2);
    Files.writeString(definition, Files.readString(definition).replace("\"Completed\"", "\"Won\""));
    Run updated = cli("workflows", "update", workflow, "--file", definition.toString());
    assertThat(updated.code).as(updated.err).isZero();
    assertThat(updated.json().get("version").asInt()).isEqualTo(2);
    assertThat(updated.json().get("stages").get(1).get("name").asText()).isEqualTo("Won");
    assertThat(cli("workflows", "versions", workflow).json()).hasSize(2);
    assertThat(
            cli("workflows", "versions", workflow, "1")
                .json()
                .get("stages")
                .get(1)
                .get("name")
                .asText())
        .isEqualTo("Completed");

    Run task = cli("tasks", "create", "--workflow", workflow, "--field", "Company Name=Acme Corp");
    assertThat(task.code).as(task.err).isZero();
    String taskId = task.json().get("id").asText();
    Run changed =
        cli(
            "tasks",
            "update",
            taskId,
            "--workflow",
            workflow,
            "--fields",
            "{\"Contract Value\": 10}");
    assertThat(changed.json().get("fields").get("Contract Value").asInt()).isEqualTo(10);
    Run listed = cli("tasks", "--workflow", workflow, "--where", "Company Name=Acme Corp");
    assertThat(listed.code).as(listed.err).isZero();
    assertThat(listed.json().get("items")).hasSize(1);
    assertThat(cli("tasks", "create", "--workflow", workflow).code)
        .as("a missing required field is a client error")
        .isEqualTo(1);

    Run run =
        cli(
            "executions",
            "run",
            "--workflow",
            workflow,
            "--task",
            taskId,
            "--action",
            Long.toString(action));
    assertThat(run.code).as(run.err).isZero();
    Run shown = cli("executions", "show", run.json().get("id").asText());
    assertThat(shown.code).as(shown.err).isZero();
    assertThat(shown.json().get("action").asText()).isEqualTo("Finish");
  }

  @Test
  void apiSendsHeadersAndBodiesFromFilesAndExitCodesTellClientFromServerTrouble() throws Exception {
    Path body = dir.resolve("event.json");
    Files.writeString(body, "{\"type\": \"order.created\", \"data\": {\"order\": 1}}");
    String path = "/api/v1/apps/" + appId + "/events";
    Run first = cli("api", "POST", path, "-H", "Idempotency-Key: order-1", "--data", "@" + body);
    assertThat(first.code).as(first.err).isZero();
    Run again = cli("api", "POST", path, "-H", "Idempotency-Key: order-1", "--data", "@" + body);
    assertThat(again.json()).isEqualTo(first.json());

    Run table = cli("flows", "--output", "table");
    assertThat(table.out.lines().findFirst().orElseThrow()).contains("id").contains("name");
    assertThat(table.out).contains("dev");

    assertThat(cli("api", "GET", "/api/v1/flows/999999").code).isEqualTo(1);
    assertThat(cli("api", "POST", path, "--data", "{not json").code).isEqualTo(1);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Run unreachable = raw("flows", "--url", "http://127.0.0.1:" + closed, "--token", adminToken);
    assertThat(unreachable.code).as("an unreachable server").isEqualTo(2);
    assertThat(unreachable.err).contains("cannot reach");
  }
}
