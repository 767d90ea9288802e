package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.FieldDef;
import org.backchannel.core.workflows.Stage;
import org.backchannel.core.workflows.Step;
import org.backchannel.core.workflows.Task;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workflows.WorkflowStore;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;

/**
 * {@code V12} makes every workflow defined before it its own version 1, and every execution one of
 * version 1; its definition, which has no ids, reads with its names as ids, which is how its tasks
 * already hold their values and stages.
 */
class WorkflowVersionsMigrationTest {
  private static final String DEFINITION =
      """
      {"fields": [{"name": "Company Name", "type": "text", "required": true},
                  {"name": "Plan", "type": "choice", "required": false, "choices": ["Basic", "Pro"]}],
       "unique_field": "Company Name",
       "stages": [{"name": "Lead", "end": false}, {"name": "Done", "end": true}],
       "actions": [{"id": 1, "name": "Finish", "roles": [], "users": [], "stages": ["Lead"],
                    "requirements": [],
                    "steps": [{"type": "move_to_stage", "stage": "Done"},
                              {"type": "api_call", "url": "https://crm.example.com", "method": "POST",
                               "headers": {}}]}]}
      """;

  @Test
  void onSqlite() throws Exception {
    String url = "jdbc:sqlite:" + Files.createTempDirectory("backchannel-v12-").resolve("store.db");
    check(url, "sqlite");
  }

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.postgresUrl(), "postgresql");
  }

  private static void check(String url, String kind) throws Exception {
    OlderSchema.migratedTo(url, kind, "9");
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO users (workspace_id, name, email, role, created_at)"
              + " VALUES (1, 'Ada', 'ada@example.com', 'ADMIN', 0)");
      s.execute(
          "INSERT INTO workflows (workspace_id, app_id, name, definition, created_at)"
              + " VALUES (1, 1, 'Deals', '"
              + DEFINITION.replace("'", "''")
              + "', 1000)");
      s.execute(
          "INSERT INTO tasks (workflow_id, stage, data, unique_key, created_at, updated_at)"
              + " VALUES (1, 'Lead', '{\"Company Name\": \"Acme\", \"Plan\": \"Pro\"}', 'Acme',"
              + " 0, 0)");
      s.execute(
          "INSERT INTO task_values (task_id, field, value) VALUES (1, 'Company Name', 'Acme'),"
              + " (1, 'Plan', 'Pro')");
      s.execute(
          "INSERT INTO executions (workspace_id, workflow_id, task_id, action_id, action_name,"
              + " performed_by, status, history, created_at, updated_at)"
              + " VALUES (1, 1, 1, 1, 'Finish', 1, 'SUCCEEDED', '[]', 0, 0)");
    }
    try (JdbcStore store = JdbcStore.open(url)) {
      store.read(
          tx -> {
            WorkflowStore w = tx.store(WorkflowStore.class);
            Workflow now = w.workflow(1).orElseThrow();
            assertThat(now.version()).isEqualTo(1);
            assertThat(now.updatedAt()).isEqualTo(now.createdAt());
            assertThat(now.updatedBy()).isNull();
            assertThat(now.fields())
                .extracting(FieldDef::id)
                .containsExactly("Company Name", "Plan");
            assertThat(now.stages()).extracting(Stage::id).containsExactly("Lead", "Done");
            assertThat(now.actions().get(0).steps()).extracting(Step::id).containsExactly(1, 2);
            assertThat(w.versions(1)).hasSize(1);
            assertThat(w.workflowVersion(1, 1).orElseThrow()).isEqualTo(now);
            Task task = now.named(w.task(1).orElseThrow());
            assertThat(task.values().keySet()).containsExactly("Company Name", "Plan");
            assertThat(task.stage()).isEqualTo("Lead");
            assertThat(w.holds(1, "Plan", "Pro")).isTrue();
            Execution e = w.execution(1).orElseThrow();
            assertThat(e.workflowVersion()).isEqualTo(1);
            assertThat(List.of(e.actionName())).containsExactly("Finish");
            return null;
          });
    }
  }
}
