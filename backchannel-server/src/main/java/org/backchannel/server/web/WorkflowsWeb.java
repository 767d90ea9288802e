package org.backchannel.server.web;

import static org.backchannel.server.web.Guard.html;
import static org.backchannel.server.web.Requests.id;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backchannel.core.Json;
import org.backchannel.core.Page;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.FieldDef;
import org.backchannel.core.workflows.Stage;
import org.backchannel.core.workflows.Task;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workflows.WorkflowJson;
import org.backchannel.core.workspace.User;

/**
 * Workflows in the web UI: the list, a board of tasks by stage, a form to create a task, and a task
 * page whose actions run with their progress shown as it happens (the page fetches its live part
 * again until the execution has finished).
 */
final class WorkflowsWeb implements WebArea {
  private static final int PER_STAGE = 100;

  private final Backchannel bc;
  private Guard guard;

  WorkflowsWeb(Backchannel bc) {
    this.bc = bc;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get("/ui/workflows", guard.signedIn(this::list));
    r.get("/ui/workflows/{id}", guard.signedIn(this::board));
    r.get("/ui/workflows/{id}/tasks/new", guard.signedIn(this::newTask));
    r.post("/ui/workflows/{id}/tasks", guard.signedIn(this::createTask));
    r.get("/ui/workflows/{id}/tasks/{task}", guard.signedIn(this::task));
    r.get("/ui/workflows/{id}/tasks/{task}/live", guard.signedIn(this::live));
    r.post("/ui/workflows/{id}/tasks/{task}/actions/{action}", guard.signedIn(this::run));
  }

  private void list(Context ctx, Session s) {
    var workflows = bc.workflows().workflows(s.user());
    html(ctx, 200, (out, in) -> JteworkflowsGenerated.render(out, in, s, workflows));
  }

  private void board(Context ctx, Session s) {
    Workflow w = bc.workflows().workflow(s.user(), id(ctx, "id"));
    Map<Stage, Page<Task>> columns = new LinkedHashMap<>();
    for (Stage stage : w.stages()) {
      columns.put(
          stage,
          bc.workflows()
              .tasks(
                  s.user(),
                  w.id(),
                  Map.of(WorkflowJson.STAGE, stage.name()),
                  false,
                  new PageRequest(null, null, PER_STAGE)));
    }
    var people = people(s);
    html(ctx, 200, (out, in) -> JteboardGenerated.render(out, in, s, w, columns, people));
  }

  // ---- creating a task

  private void newTask(Context ctx, Session s) {
    Workflow w = bc.workflows().workflow(s.user(), id(ctx, "id"));
    taskForm(ctx, s, w, 200, Map.of(), Map.of());
  }

  private void createTask(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Workflow w = bc.workflows().workflow(s.user(), id(ctx, "id"));
    Map<String, String> given = new LinkedHashMap<>();
    ObjectNode fields = Json.MAPPER.createObjectNode();
    for (int i = 0; i < w.fields().size(); i++) {
      String raw = ctx.formParam(WorkflowPages.param(i));
      FieldDef f = w.fields().get(i);
      if (raw != null) {
        given.put(f.name(), raw);
      }
      // An empty input leaves the field unset, as a field missing from an API call does.
      if (raw != null && !raw.isBlank()) {
        fields.put(f.name(), raw.strip());
      }
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("fields", fields);
    Task task;
    try {
      task = bc.workflows().createTask(s.user(), w.id(), body);
    } catch (Problem.Unprocessable e) {
      taskForm(ctx, s, w, 422, given, e.errors());
      return;
    } catch (Problem.Conflict e) {
      // The only conflict a new task can meet: another task has its Unique ID.
      String field = w.uniqueField() == null ? "" : w.uniqueField();
      taskForm(ctx, s, w, 409, given, Map.of(field, List.of(e.getMessage())));
      return;
    }
    ctx.redirect(WorkflowPages.taskPath(task), HttpStatus.SEE_OTHER);
  }

  private void taskForm(
      Context ctx,
      Session s,
      Workflow w,
      int status,
      Map<String, String> given,
      Map<String, List<String>> errors) {
    var people = people(s);
    html(
        ctx,
        status,
        (out, in) -> JtetaskFormGenerated.render(out, in, s, w, people, given, errors));
  }

  // ---- a task and its actions

  private void task(Context ctx, Session s) {
    renderTask(ctx, s, 200, null);
  }

  /** The live part of the task page alone, fetched again while an execution runs. */
  private void live(Context ctx, Session s) {
    var v = view(ctx, s);
    html(ctx, 200, (out, in) -> JtetaskLiveGenerated.render(out, in, v));
  }

  private void run(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long workflowId = id(ctx, "id");
    long taskId = id(ctx, "task");
    int actionId = (int) Math.min(id(ctx, "action"), Integer.MAX_VALUE);
    Execution e;
    try {
      e = bc.workflows().execute(s.user(), workflowId, taskId, actionId, null);
    } catch (Problem.Unprocessable x) {
      renderTask(ctx, s, 422, x.errors());
      return;
    } catch (Problem.Conflict x) {
      // The action is still running on this task (pressed twice, or by two people at once).
      renderTask(ctx, s, 409, Map.of("", List.of(x.getMessage())));
      return;
    }
    // Post, then redirect: reloading the task page never runs the action twice.
    ctx.redirect(
        "/ui/workflows/" + workflowId + "/tasks/" + taskId + "?execution=" + e.id(),
        HttpStatus.SEE_OTHER);
  }

  private void renderTask(Context ctx, Session s, int status, Map<String, List<String>> refused) {
    var v = view(ctx, s);
    html(ctx, status, (out, in) -> JtetaskGenerated.render(out, in, v, refused));
  }

  private WorkflowPages.TaskView view(Context ctx, Session s) {
    Workflow w = bc.workflows().workflow(s.user(), id(ctx, "id"));
    Task task = bc.workflows().task(s.user(), w.id(), id(ctx, "task"));
    Long executionId = Requests.optionalLong(ctx, "execution");
    Execution execution = null;
    Workflow ranOn = w;
    if (executionId != null) {
      execution = bc.workflows().execution(s.user(), executionId);
      if (execution.taskId() != task.id()) {
        throw new Problem.NotFound("execution " + executionId);
      }
      if (execution.workflowVersion() != w.version()) {
        ranOn = bc.workflows().workflowVersion(s.user(), w.id(), execution.workflowVersion());
      }
    }
    return new WorkflowPages.TaskView(
        s,
        w,
        task,
        bc.workflows().availableActions(s.user(), w.id(), task.id()),
        execution,
        ranOn,
        people(s));
  }

  private List<User> people(Session s) {
    return bc.directory().users(s.user());
  }
}
