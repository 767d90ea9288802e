package org.backchannel.store;

import static org.backchannel.store.Rows.instant;
import static org.backchannel.store.Rows.millis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.workflows.ActionDef;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.Task;
import org.backchannel.core.workflows.TaskFilter;
import org.backchannel.core.workflows.TaskValues;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workflows.WorkflowJson;
import org.backchannel.core.workflows.WorkflowStore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** Workflows, tasks and executions on the transaction's handle. */
final class JdbcWorkflowStore implements WorkflowStore {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String WORKFLOW =
      "id, workspace_id, app_id, name, definition, version, created_at, updated_by, updated_at";

  /** A saved version, with the columns of {@link #WORKFLOW}. */
  private static final String VERSION =
      "w.id, w.workspace_id, v.app_id, v.name, v.definition, v.version, w.created_at,"
          + " v.created_by AS updated_by, v.created_at AS updated_at"
          + " FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id";

  private static final String TASK = "id, workflow_id, stage, data, created_at, updated_at";
  private static final String EXECUTION =
      "id, workspace_id, workflow_id, workflow_version, task_id, action_id, action_name,"
          + " performed_by, status, failed_step, reason, history, created_at, updated_at";

  private static final RowMapper<Workflow> WORKFLOWS =
      (rs, ctx) -> {
        WorkflowJson.Definition d = WorkflowJson.read(rs.getString("definition"));
        return new Workflow(
            rs.getLong("id"),
            rs.getLong("workspace_id"),
            rs.getLong("app_id"),
            rs.getString("name"),
            d.fields(),
            d.uniqueField(),
            d.stages(),
            d.actions(),
            rs.getInt("version"),
            instant(rs, "created_at"),
            Rows.nullableLong(rs, "updated_by"),
            instant(rs, "updated_at"));
      };

  private static final RowMapper<Task> TASKS =
      (rs, ctx) -> {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Json.read(rs.getString("data"))
            .properties()
            .forEach(e -> values.put(e.getKey(), e.getValue()));
        return new Task(
            rs.getLong("id"),
            rs.getLong("workflow_id"),
            values,
            rs.getString("stage"),
            instant(rs, "created_at"),
            instant(rs, "updated_at"));
      };

  private static final RowMapper<Execution> EXECUTIONS =
      (rs, ctx) -> {
        List<Execution.StepRecord> history = new ArrayList<>();
        for (JsonNode s : Json.read(rs.getString("history"))) {
          JsonNode delivery = s.get("delivery_id");
          history.add(
              new Execution.StepRecord(
                  s.get("index").asInt(),
                  s.get("type").asText(),
                  s.get("succeeded").asBoolean(),
                  delivery == null || delivery.isNull() ? null : delivery.asLong(),
                  s.get("detail").asText()));
        }
        Long failedStep = Rows.nullableLong(rs, "failed_step");
        return new Execution(
            rs.getLong("id"),
            rs.getLong("workspace_id"),
            rs.getLong("workflow_id"),
            rs.getInt("workflow_version"),
            rs.getLong("task_id"),
            rs.getInt("action_id"),
            rs.getString("action_name"),
            rs.getLong("performed_by"),
            Execution.Status.valueOf(rs.getString("status")),
            failedStep == null ? null : failedStep.intValue(),
            rs.getString("reason"),
            history,
            instant(rs, "created_at"),
            instant(rs, "updated_at"));
      };

  private final Handle h;
  private final Dialect dialect;

  JdbcWorkflowStore(Handle handle, Dialect dialect) {
    this.h = handle;
    this.dialect = dialect;
  }

  @Override
  public Workflow insertWorkflow(Workflow draft, Instant now) {
    String definition = definition(draft);
    Workflow inserted =
        Conflicts.translate(
            () ->
                h.createQuery(
                        "INSERT INTO workflows (workspace_id, app_id, name, definition, version,"
                            + " created_at, updated_by, updated_at)"
                            + " VALUES (:ws, :app, :name, :definition, 1, :now, :by, :now)"
                            + " RETURNING "
                            + WORKFLOW)
                    .bind("ws", draft.workspaceId())
                    .bind("app", draft.appId())
                    .bind("name", draft.name())
                    .bind("definition", definition)
                    .bind("by", draft.updatedBy())
                    .bind("now", millis(now))
                    .map(WORKFLOWS)
                    .one(),
            Map.of(
                "name", "a workflow named " + draft.name() + " already exists in this workspace"));
    insertVersion(inserted, definition);
    return inserted;
  }

  @Override
  public Workflow updateWorkflow(Workflow next) {
    String definition = definition(next);
    // Only onto the version before it: a save that lost a race changes nothing.
    Workflow updated =
        Conflicts.translate(
                () ->
                    h.createQuery(
                            "UPDATE workflows SET app_id = :app, name = :name,"
                                + " definition = :definition, version = :version,"
                                + " updated_by = :by, updated_at = :now"
                                + " WHERE id = :id AND version = :previous RETURNING "
                                + WORKFLOW)
                        .bind("app", next.appId())
                        .bind("name", next.name())
                        .bind("definition", definition)
                        .bind("version", next.version())
                        .bind("by", next.updatedBy())
                        .bind("now", millis(next.updatedAt()))
                        .bind("id", next.id())
                        .bind("previous", next.version() - 1)
                        .map(WORKFLOWS)
                        .findOne(),
                Map.of(
                    "name",
                    "a workflow named " + next.name() + " already exists in this workspace"))
            .orElseThrow(
                () ->
                    new Problem.Conflict(
                        "the workflow was saved meanwhile; reload it and make the change again"));
    insertVersion(updated, definition);
    return updated;
  }

  private static String definition(Workflow w) {
    // Header values are already sealed: they are kept as they are.
    return Json.write(WorkflowJson.write(w, UnaryOperator.identity()));
  }

  private void insertVersion(Workflow w, String definition) {
    Conflicts.translate(
        () ->
            h.createUpdate(
                    "INSERT INTO workflow_versions (workflow_id, version, app_id, name,"
                        + " definition, created_by, created_at)"
                        + " VALUES (:id, :version, :app, :name, :definition, :by, :at)")
                .bind("id", w.id())
                .bind("version", w.version())
                .bind("app", w.appId())
                .bind("name", w.name())
                .bind("definition", definition)
                .bind("by", w.updatedBy())
                .bind("at", millis(w.updatedAt()))
                .execute(),
        Map.of(
            "workflow_versions",
            "the workflow was saved meanwhile; reload it and make the change again"));
  }

  @Override
  public Optional<Workflow> workflowVersion(long id, int version) {
    return h.createQuery(
            "SELECT " + VERSION + " WHERE v.workflow_id = :id AND v.version = :version")
        .bind("id", id)
        .bind("version", version)
        .map(WORKFLOWS)
        .findOne();
  }

  @Override
  public List<Workflow> versions(long id) {
    return h.createQuery("SELECT " + VERSION + " WHERE v.workflow_id = :id ORDER BY v.version")
        .bind("id", id)
        .map(WORKFLOWS)
        .list();
  }

  @Override
  public boolean holds(long workflowId, String fieldId, String key) {
    Query query =
        h.createQuery(
                "SELECT 1 FROM task_values v JOIN tasks t ON t.id = v.task_id"
                    + " WHERE v.field = :field AND t.workflow_id = :wf"
                    + (key == null ? "" : " AND v.value = :key")
                    + " LIMIT 1")
            .bind("field", fieldId)
            .bind("wf", workflowId);
    if (key != null) {
      query.bind("key", key);
    }
    return query.mapTo(Integer.class).findOne().isPresent();
  }

  @Override
  public boolean hasTasksIn(long workflowId, String stageId) {
    return h.createQuery("SELECT 1 FROM tasks WHERE workflow_id = :wf AND stage = :stage LIMIT 1")
        .bind("wf", workflowId)
        .bind("stage", stageId)
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
  }

  @Override
  public List<Long> tasksSharing(long workflowId, String fieldId) {
    return h.createQuery(
            "SELECT MIN(t.id) AS a, MAX(t.id) AS b FROM task_values v"
                + " JOIN tasks t ON t.id = v.task_id"
                + " WHERE v.field = :field AND t.workflow_id = :wf"
                + " GROUP BY v.value HAVING COUNT(*) > 1 ORDER BY MIN(t.id) LIMIT 1")
        .bind("field", fieldId)
        .bind("wf", workflowId)
        .map((rs, ctx) -> List.of(rs.getLong("a"), rs.getLong("b")))
        .findOne()
        .orElse(List.of());
  }

  @Override
  public void rekeyUnique(long workflowId, String fieldId) {
    // Cleared first, so that values trading places never clash on the way.
    h.createUpdate("UPDATE tasks SET unique_key = NULL WHERE workflow_id = :wf")
        .bind("wf", workflowId)
        .execute();
    if (fieldId == null) {
      return;
    }
    Conflicts.translate(
        () ->
            h.createUpdate(
                    "UPDATE tasks SET unique_key = (SELECT v.value FROM task_values v"
                        + " WHERE v.task_id = tasks.id AND v.field = :field)"
                        + " WHERE workflow_id = :wf")
                .bind("field", fieldId)
                .bind("wf", workflowId)
                .execute(),
        Map.of("unique_key", "two tasks have the same value of the new Unique ID"));
  }

  @Override
  public Optional<Workflow> workflow(long id) {
    return h.createQuery("SELECT " + WORKFLOW + " FROM workflows WHERE id = :id")
        .bind("id", id)
        .map(WORKFLOWS)
        .findOne();
  }

  @Override
  public List<Workflow> workflows(long workspaceId) {
    return h.createQuery(
            "SELECT " + WORKFLOW + " FROM workflows WHERE workspace_id = :ws ORDER BY id")
        .bind("ws", workspaceId)
        .map(WORKFLOWS)
        .list();
  }

  @Override
  public Task insertTask(
      long workflowId, Map<String, JsonNode> values, String stage, String uniqueKey, Instant now) {
    Task task =
        Conflicts.translate(
            () ->
                h.createQuery(
                        "INSERT INTO tasks (workflow_id, stage, data, unique_key, created_at,"
                            + " updated_at) VALUES (:wf, :stage, :data, :unique, :now, :now)"
                            + " RETURNING "
                            + TASK)
                    .bind("wf", workflowId)
                    .bind("stage", stage)
                    .bind("data", data(values))
                    .bind("unique", uniqueKey)
                    .bind("now", millis(now))
                    .map(TASKS)
                    .one(),
            Map.of("unique_key", "another task already has this Unique ID"));
    writeValues(task.id(), values);
    return task;
  }

  @Override
  public Task updateTask(
      long taskId, Map<String, JsonNode> values, String stage, String uniqueKey, Instant now) {
    Task task =
        Conflicts.translate(
            () ->
                h.createQuery(
                        "UPDATE tasks SET stage = :stage, data = :data, unique_key = :unique,"
                            + " updated_at = :now WHERE id = :id RETURNING "
                            + TASK)
                    .bind("stage", stage)
                    .bind("data", data(values))
                    .bind("unique", uniqueKey)
                    .bind("now", millis(now))
                    .bind("id", taskId)
                    .map(TASKS)
                    .findOne()
                    .orElseThrow(() -> new Problem.NotFound("task " + taskId)),
            Map.of("unique_key", "another task already has this Unique ID"));
    h.createUpdate("DELETE FROM task_values WHERE task_id = :id").bind("id", taskId).execute();
    writeValues(taskId, values);
    return task;
  }

  private static String data(Map<String, JsonNode> values) {
    ObjectNode node = F.objectNode();
    values.forEach(node::set);
    return Json.write(node);
  }

  private void writeValues(long taskId, Map<String, JsonNode> values) {
    var batch =
        h.prepareBatch(
            "INSERT INTO task_values (task_id, field, value) VALUES (:task, :field, :value)");
    values.forEach(
        (field, value) ->
            batch
                .bind("task", taskId)
                .bind("field", field)
                .bind("value", TaskValues.key(value))
                .add());
    if (!values.isEmpty()) {
      batch.execute();
    }
  }

  @Override
  public Optional<Task> task(long id) {
    return h.createQuery("SELECT " + TASK + " FROM tasks WHERE id = :id")
        .bind("id", id)
        .map(TASKS)
        .findOne();
  }

  @Override
  public Optional<Task> taskForUpdate(long id) {
    // SQLite has one writer at a time: a transaction that writes holds every row already.
    String lock = dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    return h.createQuery("SELECT " + TASK + " FROM tasks WHERE id = :id" + lock)
        .bind("id", id)
        .map(TASKS)
        .findOne();
  }

  @Override
  public Optional<Task> taskByUniqueKey(long workflowId, String uniqueKey) {
    return h.createQuery(
            "SELECT " + TASK + " FROM tasks WHERE workflow_id = :wf AND unique_key = :unique")
        .bind("wf", workflowId)
        .bind("unique", uniqueKey)
        .map(TASKS)
        .findOne();
  }

  @Override
  public List<Task> tasks(long workflowId, TaskFilter filter, PageRequest page) {
    StringBuilder sql = new StringBuilder("SELECT " + TASK + " FROM tasks WHERE workflow_id = :wf");
    Map<String, Object> binds = new LinkedHashMap<>();
    binds.put("wf", workflowId);
    int i = 0;
    for (var e : filter.keys().entrySet()) {
      boolean notSet = TaskFilter.NOT_SET.equals(e.getValue());
      sql.append(notSet ? " AND NOT EXISTS" : " AND EXISTS")
          .append(" (SELECT 1 FROM task_values v WHERE v.task_id = tasks.id AND v.field = :f")
          .append(i)
          .append(notSet ? " AND v.value <> :v" : " AND v.value = :v")
          .append(i)
          .append(")");
      binds.put("f" + i, e.getKey());
      binds.put("v" + i, e.getValue());
      i++;
    }
    if (filter.stage() != null) {
      sql.append(" AND stage = :stage");
      binds.put("stage", filter.stage());
    }
    for (int j = 0; j < filter.excludedStages().size(); j++) {
      sql.append(" AND stage <> :x").append(j);
      binds.put("x" + j, filter.excludedStages().get(j));
    }
    Query query = Paging.paged(h, sql.toString(), page);
    binds.forEach(query::bind);
    return query.map(TASKS).list();
  }

  @Override
  public Execution insertExecution(
      Workflow workflow, long taskId, ActionDef action, long performedBy, Instant now) {
    // The unique index on unfinished executions refuses a second run of the action on the task,
    // also when two starts race on different nodes.
    return Conflicts.translate(
        () ->
            h.createQuery(
                    "INSERT INTO executions (workspace_id, workflow_id, workflow_version, task_id,"
                        + " action_id, action_name, performed_by, status, history, created_at,"
                        + " updated_at) VALUES (:ws, :wf, :version, :task, :action, :name, :by,"
                        + " :status, '[]', :now, :now) RETURNING "
                        + EXECUTION)
                .bind("ws", workflow.workspaceId())
                .bind("wf", workflow.id())
                .bind("version", workflow.version())
                .bind("task", taskId)
                .bind("action", action.id())
                .bind("name", action.name())
                .bind("by", performedBy)
                .bind("status", Execution.Status.PENDING.name())
                .bind("now", millis(now))
                .map(EXECUTIONS)
                .one(),
        Map.of(
            "executions",
            "the action "
                + action.name()
                + " is already running on task "
                + taskId
                + ": wait until it has finished"));
  }

  @Override
  public Optional<Execution> execution(long id) {
    return h.createQuery("SELECT " + EXECUTION + " FROM executions WHERE id = :id")
        .bind("id", id)
        .map(EXECUTIONS)
        .findOne();
  }

  @Override
  public boolean updateExecution(Execution e, Execution.Status expected) {
    ArrayNode history = F.arrayNode();
    e.history()
        .forEach(
            s ->
                history
                    .addObject()
                    .put("index", s.index())
                    .put("type", s.type())
                    .put("succeeded", s.succeeded())
                    .put("delivery_id", s.deliveryId())
                    .put("detail", s.detail()));
    return h.createUpdate(
                "UPDATE executions SET status = :status, failed_step = :step, reason = :reason,"
                    + " history = :history, updated_at = :now WHERE id = :id AND status = :expected")
            .bind("status", e.status().name())
            .bind("step", e.failedStep())
            .bind("reason", e.reason())
            .bind("history", Json.write(history))
            .bind("now", millis(e.updatedAt()))
            .bind("id", e.id())
            .bind("expected", expected.name())
            .execute()
        > 0;
  }

  @Override
  public List<Execution> unfinishedExecutions() {
    return h.createQuery(
            "SELECT "
                + EXECUTION
                + " FROM executions WHERE status IN (:pending, :running) ORDER BY id")
        .bind("pending", Execution.Status.PENDING.name())
        .bind("running", Execution.Status.RUNNING.name())
        .map(EXECUTIONS)
        .list();
  }
}
