package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.RecordingReceiver.Recorded;
import org.junit.jupiter.api.Test;

/**
 * The examples in docs/PROTOCOLS.md are what the server sends: each contract's call is made for
 * real, to a real receiver, and compared with its example header by header and member by member, in
 * order and with the same JSON types. An app written from the page therefore reads what it gets.
 * Runs once per store.
 */
abstract class ProtocolExamplesContract extends ServerFixture {
  static final Map<String, WireExample> EXAMPLES =
      WireExample.read(Path.of("..", "docs", "PROTOCOLS.md"));

  void assertSentAsDocumented(String example, Recorded call) {
    assertThat(EXAMPLES)
        .as(
            "docs/PROTOCOLS.md has the example %s of this request:\n%s",
            example, WireExample.show(call))
        .containsKey(example);
    assertThat(EXAMPLES.get(example).differences(call))
        .as(
            "the request sent, where it differs from the example " + example + ":\n%s",
            WireExample.show(call))
        .isEmpty();
  }

  void assertClaimsAsDocumented(String example, String jwt) {
    assertThat(EXAMPLES)
        .as(
            "docs/PROTOCOLS.md has the example %s of these claims:\n%s",
            example, WireExample.claims(jwt))
        .containsKey(example);
    assertThat(EXAMPLES.get(example).claimDifferences(jwt)).isEmpty();
  }

  Recorded next() {
    return app.take(Duration.ofSeconds(5));
  }

  @Test
  void anUpdateActionIsSentAsDocumented() {
    long thread = postActivity();
    app.answer(Answer.status(200));

    select(thread, 0, memberToken);

    Recorded call = next();
    assertSentAsDocumented("flowdock-update-action", call);
    assertClaimsAsDocumented("flowdock-token-claims", call.header("FLOWDOCK-TOKEN"));
  }

  @Test
  void flockEventsAreSentAsDocumented() {
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            """
            {"event_listener_url": "%s", "controls": [{"type": "slashCommand", "name": "todo"}]}
            """
                .formatted(app.url("/events"))));
    String platform = "/api/v1/platform/apps/" + appId;
    app.answer(Answer.status(200));

    ok(http.post(platform + "/install", memberToken, ""));
    Recorded install = next();
    assertSentAsDocumented("flock-app-install", install);
    assertClaimsAsDocumented("flock-event-token-claims", install.header("X-Flock-Event-Token"));

    app.answer(Answer.json(200, "{\"text\": \"Added: buy milk\"}"));
    ok(
        http.post(
            platform + "/slash-commands",
            memberToken,
            "{\"command\":\"todo\",\"text\":\"buy milk\",\"chat\":\"g:" + flowId + "\"}"));
    assertSentAsDocumented("flock-slash-command", next());
  }

  @Test
  void aWorkflowApiCallIsSentAsDocumented() throws Exception {
    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                """
                {"name": "Deals", "app_id": %d,
                 "fields": [
                   {"name": "Company ID", "type": "text"},
                   {"name": "Company Name", "type": "text"},
                   {"name": "Number of Employees", "type": "number"},
                   {"name": "Contract Value", "type": "number"},
                   {"name": "International?", "type": "boolean"},
                   {"name": "Expected Close Date", "type": "date"},
                   {"name": "Assigned To", "type": "person"}],
                 "stages": [{"name": "Active"}, {"name": "Completed", "end": true}],
                 "actions": [
                   {"name": "Finish", "stages": ["Active"],
                    "steps": [{"type": "assign", "field": "Assigned To"},
                              {"type": "move_to_stage", "stage": "Completed"},
                              {"type": "api_call", "url": "%s",
                               "headers": {"Authorization": "Bearer my-crm-token"}}]}]}
                """
                    .formatted(appId, app.url("/deals/finished"))))
            .get("id")
            .asLong();
    long task =
        ok(http.post(
                "/api/v1/workflows/" + workflow + "/tasks",
                memberToken,
                """
                {"fields": {"Company ID": "42", "Company Name": "Acme Corp",
                  "Number of Employees": 20, "Contract Value": 10000, "International?": false,
                  "Expected Close Date": "2020-01-31"}}
                """))
            .get("id")
            .asLong();
    app.answer(Answer.status(200));

    long execution =
        ok(http.post(
                "/api/v1/workflows/" + workflow + "/executions",
                memberToken,
                "{\"task_id\": " + task + ", \"action_id\": 1}"))
            .get("id")
            .asLong();
    server.backchannel().workflows().completion(execution).get(10, TimeUnit.SECONDS);

    assertSentAsDocumented("flowdash-api-call", next());
  }

  @Test
  void aNativeEventIsSentAsDocumented() {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\": \"" + app.url("/webhooks") + "\"}"));
    app.answer(Answer.status(204));
    JsonNode published =
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\": \"invoice.paid\", \"data\": {\"invoice\": \"in_42\", \"amount\": 1200}}"));
    assertThat(published.isObject()).isTrue();

    server.backchannel().worker().drain();

    assertSentAsDocumented("native-event", next());
  }
}
