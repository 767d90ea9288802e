package org.backchannel.server.api;

import static org.backchannel.server.api.Api.F;
import static org.backchannel.server.api.Api.caller;
import static org.backchannel.server.api.Api.id;
import static org.backchannel.server.api.Api.json;
import static org.backchannel.server.api.Api.jsonBody;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.backchannel.core.Validation;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workflows.ActionDef;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.Task;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workflows.WorkflowJson;

/**
 * Workflows, tasks and executions (the Flowdash model): {@code /api/v1/workflows...} and {@code
 * /api/v1/executions/{id}}. Task values and action requirements that are not met answer 422.
 */
final class WorkflowRoutes {
  private static final Set<String> PAGING = Set.of("limit", "before", "after");
  private static final Pattern WHOLE = Pattern.compile("\\s*[0-9]{1,18}\\s*");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,200}@[^@\\s]{1,200}");

  private final Backchannel bc;

  WorkflowRoutes(Backchannel bc) {
    this.bc = bc;
  }

  void register(RoutesConfig r) {
    r.post(
        "/api/v1/workflows",
        ctx -> json(ctx, 201, workflow(bc.workflows().define(caller(bc, ctx), jsonBody(ctx)))));
    r.get(
        "/api/v1/workflows",
        ctx ->
            json(ctx, 200, Views.list(bc.workflows().workflows(caller(bc, ctx)), this::workflow)));
    r.get(
        "/api/v1/workflows/{id}",
        ctx -> json(ctx, 200, workflow(bc.workflows().workflow(caller(bc, ctx), id(ctx, "id")))));
    r.put(
        "/api/v1/workflows/{id}",
        ctx ->
            json(
                ctx,
                200,
                workflow(bc.workflows().replace(caller(bc, ctx), id(ctx, "id"), jsonBody(ctx)))));
    r.get(
        "/api/v1/workflows/{id}/versions",
        ctx ->
            json(
                ctx,
                200,
                Views.list(
                    bc.workflows().versions(caller(bc, ctx), id(ctx, "id")),
                    WorkflowRoutes::version)));
    r.get(
        "/api/v1/workflows/{id}/versions/{version}",
        ctx -> {
          var caller = caller(bc, ctx);
          long workflowId = id(ctx, "id");
          // No workflow has a version beyond int: a larger one is as unknown as any other.
          int version = (int) Math.min(id(ctx, "version"), Integer.MAX_VALUE);
          json(ctx, 200, workflow(bc.workflows().workflowVersion(caller, workflowId, version)));
        });

    r.post(
        "/api/v1/workflows/{id}/tasks",
        ctx ->
            json(
                ctx,
                201,
                task(bc.workflows().createTask(caller(bc, ctx), id(ctx, "id"), jsonBody(ctx)))));
    r.get("/api/v1/workflows/{id}/tasks", ctx -> tasks(ctx, false));
    r.get("/api/v1/workflows/{id}/tasks/active", ctx -> tasks(ctx, true));
    r.get(
        "/api/v1/workflows/{id}/tasks/{task}",
        ctx ->
            json(
                ctx,
                200,
                task(bc.workflows().task(caller(bc, ctx), id(ctx, "id"), id(ctx, "task")))));
    r.patch(
        "/api/v1/workflows/{id}/tasks/{task}",
        ctx ->
            json(
                ctx,
                200,
                task(
                    bc.workflows()
                        .updateTask(
                            caller(bc, ctx), id(ctx, "id"), id(ctx, "task"), jsonBody(ctx)))));
    r.get(
        "/api/v1/workflows/{id}/tasks/{task}/actions",
        ctx -> {
          var actions =
              bc.workflows().availableActions(caller(bc, ctx), id(ctx, "id"), id(ctx, "task"));
          json(ctx, 200, Views.list(actions, WorkflowRoutes::action));
        });

    r.post("/api/v1/workflows/{id}/executions", this::execute);
    r.get(
        "/api/v1/executions/{id}",
        ctx -> json(ctx, 200, execution(bc.workflows().execution(caller(bc, ctx), id(ctx, "id")))));
  }

  private void tasks(Context ctx, boolean activeOnly) {
    var caller = caller(bc, ctx);
    Map<String, String> filters = new LinkedHashMap<>();
    ctx.queryParamMap()
        .forEach(
            (name, values) -> {
              if (!PAGING.contains(name) && !values.isEmpty()) {
                filters.put(name, values.get(0));
              }
            });
    var page = bc.workflows().tasks(caller, id(ctx, "id"), filters, activeOnly, Api.page(ctx));
    json(ctx, 200, Views.page(page, WorkflowRoutes::task));
  }

  private void execute(Context ctx) {
    var caller = caller(bc, ctx);
    long workflowId = id(ctx, "id");
    ObjectNode body = jsonBody(ctx);
    Validation v = new Validation();
    Long task = wholeNumber(body, "task_id", v);
    Long action = wholeNumber(body, "action_id", v);
    JsonNode performedBy = person(body, "performed_by", v);
    v.throwIfUnprocessable();
    // No action has an id beyond int: a larger one is as unknown as any other.
    int actionId = (int) Math.min(action, Integer.MAX_VALUE);
    Execution e = bc.workflows().execute(caller, workflowId, task, actionId, performedBy);
    json(ctx, 201, F.objectNode().put("id", e.id()).put("status", e.status().label()));
  }

  /**
   * A required id given as a number or as numeric text ({@code 12} or {@code "12"}): people copying
   * ids out of a spreadsheet or a form send them as text.
   */
  private static Long wholeNumber(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      v.add(field, "is required");
      return null;
    }
    Long value = wholeNumber(node);
    if (value == null) {
      v.add(field, "must be a non-negative whole number, such as 12 or \"12\"");
    }
    return value;
  }

  private static Long wholeNumber(JsonNode node) {
    if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) {
      return node.asLong();
    }
    if (node.isTextual() && WHOLE.matcher(node.asText()).matches()) {
      return Long.parseLong(node.asText().strip());
    }
    return null;
  }

  /**
   * An optional person, as a user id (a number or numeric text) or an email; null when left out.
   */
  private static JsonNode person(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    Long id = wholeNumber(node);
    if (id != null) {
      return LongNode.valueOf(id);
    }
    if (node.isTextual() && EMAIL.matcher(node.asText().strip()).matches()) {
      return TextNode.valueOf(node.asText().strip());
    }
    v.add(field, "must be a person's user id or email");
    return null;
  }

  private ObjectNode workflow(Workflow w) {
    return WorkflowJson.shown(w);
  }

  /** One saved version, without its definition. */
  static ObjectNode version(Workflow w) {
    return F.objectNode()
        .put("version", w.version())
        .put("name", w.name())
        .put("updated_by", w.updatedBy())
        .put("updated_at", time(w.updatedAt()));
  }

  static ObjectNode task(Task t) {
    ObjectNode node = F.objectNode().put("id", t.id()).put("workflow_id", t.workflowId());
    node.putObject("fields").setAll(t.values());
    return node.put("stage", t.stage())
        .put("created_at", time(t.createdAt()))
        .put("updated_at", time(t.updatedAt()));
  }

  static ObjectNode action(ActionDef a) {
    ObjectNode node = F.objectNode().put("id", a.id()).put("name", a.name());
    a.stages().forEach(node.putArray("stages")::add);
    a.requirements().forEach(node.putArray("requirements")::add);
    return node;
  }

  static ObjectNode execution(Execution e) {
    ObjectNode node =
        F.objectNode()
            .put("id", e.id())
            .put("workflow_id", e.workflowId())
            .put("workflow_version", e.workflowVersion())
            .put("task_id", e.taskId())
            .put("action_id", e.actionId())
            .put("action", e.actionName())
            .put("performed_by", e.performedBy())
            .put("status", e.status().label())
            .put("failed_step", e.failedStep())
            .put("reason", e.reason());
    var steps = node.putArray("steps");
    for (Execution.StepRecord s : e.history()) {
      steps
          .addObject()
          .put("index", s.index())
          .put("type", s.type())
          .put("outcome", s.succeeded() ? "succeeded" : "failed")
          .put("delivery_id", s.deliveryId())
          .put("detail", s.detail());
    }
    return node.put("created_at", time(e.createdAt())).put("updated_at", time(e.updatedAt()));
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
