package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.backchannel.core.Page;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.delivery.DeliveryEngine;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * Workflows, their tasks, and running their actions. Admins define workflows; everyone in the
 * workspace works with tasks and runs the actions they may run; anything of another workspace does
 * not exist for them. Task values and action requirements that are not met are {@link
 * Problem.Unprocessable}.
 */
public final class Workflows implements AutoCloseable {
  private final Store store;
  private final SecretBox box;
  private final InstantSource clock;
  private final ExecutionRunner runner;

  public Workflows(Store store, SecretBox box, DeliveryEngine engine, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.clock = clock;
    this.runner = new ExecutionRunner(store, box, engine, clock);
  }

  // ---- workflows

  /** Defines a workflow (admins only); API Call header values are sealed before they are kept. */
  public Workflow define(User caller, JsonNode body) {
    Directory.requireAdmin(caller);
    Validation v = new Validation();
    String name = name(body, v);
    JsonNode app = appId(body, v);
    WorkflowJson.Definition d = WorkflowJson.parse(body, v).withNewIds();
    refuseRedacted(d, v);
    return store.transaction(
        tx -> {
          long ws = caller.workspaceId();
          requireApp(tx, ws, app);
          List<User> people = tx.store(WorkspaceStore.class).users(ws);
          checkPeople(d, people, v);
          if (name != null
              && tx.store(WorkflowStore.class).workflows(ws).stream()
                  .anyMatch(w -> w.name().equals(name))) {
            v.add("name", "is already taken by another workflow");
          }
          v.throwIfInvalid();
          Workflow draft =
              new Workflow(
                  0,
                  ws,
                  app.asLong(),
                  name,
                  d.fields(),
                  d.uniqueField(),
                  d.stages(),
                  sealHeaders(d.actions()),
                  1,
                  null,
                  caller.id(),
                  null);
          return tx.store(WorkflowStore.class).insertWorkflow(draft, clock.instant());
        });
  }

  /**
   * Saves a whole new definition of a workflow (admins only), in the shape {@link #define} takes,
   * as its next version; executions already started finish on the version they started with. Ids
   * say which saved field, stage, action or step an entry is ({@link Revision}): task values follow
   * their field through a rename. An API Call header value given as {@code [redacted]} keeps the
   * saved one. {@code version}, when given, must be the current version (else a conflict: someone
   * saved meanwhile). A definition that does not fit is {@link Problem.Unprocessable}, by field.
   */
  public Workflow replace(User caller, long workflowId, JsonNode body) {
    Directory.requireAdmin(caller);
    Validation v = new Validation();
    String name = name(body, v);
    JsonNode app = appId(body, v);
    JsonNode version = body.get("version");
    if (version != null
        && !version.isNull()
        && (!version.isIntegralNumber() || !version.canConvertToInt() || version.asInt() < 1)) {
      v.add("version", "must be the version the change was made to, such as 3");
      version = null;
    }
    JsonNode expected = version;
    WorkflowJson.Definition parsed = WorkflowJson.parse(body, v);
    return store.transaction(
        tx -> {
          WorkflowStore workflows = tx.store(WorkflowStore.class);
          Workflow current = workflow(tx, caller, workflowId);
          if (expected != null && !expected.isNull() && expected.asInt() != current.version()) {
            throw new Problem.Conflict(
                "the workflow was saved meanwhile: it is at version "
                    + current.version()
                    + " now; reload it and make the change again");
          }
          long ws = caller.workspaceId();
          requireApp(tx, ws, app);
          if (name != null
              && workflows.workflows(ws).stream()
                  .anyMatch(w -> w.id() != workflowId && w.name().equals(name))) {
            v.add("name", "is already taken by another workflow");
          }
          // Positions in errors name the request's entries only while every entry parsed.
          v.throwIfUnprocessable();
          Revision revision = new Revision(current, workflows.versions(workflowId), workflows, v);
          WorkflowJson.Definition d = revision.resolve(parsed, box::seal);
          checkPeople(d, tx.store(WorkspaceStore.class).users(ws), v);
          v.throwIfUnprocessable();
          String unique = Revision.uniqueFieldId(d);
          if (!Objects.equals(unique, current.uniqueFieldId())) {
            workflows.rekeyUnique(workflowId, unique);
          }
          return workflows.updateWorkflow(
              new Workflow(
                  workflowId,
                  ws,
                  app.asLong(),
                  name,
                  d.fields(),
                  d.uniqueField(),
                  d.stages(),
                  d.actions(),
                  current.version() + 1,
                  current.createdAt(),
                  caller.id(),
                  clock.instant()));
        });
  }

  private static String name(JsonNode body, Validation v) {
    JsonNode nameNode = body.get("name");
    String name = nameNode != null && nameNode.isTextual() ? nameNode.asText().strip() : null;
    if (v.required("name", name)) {
      v.maxLength("name", name, 100);
    }
    return name;
  }

  /** The {@code app_id} given, or null (and the reason) when it is not an id. */
  private static JsonNode appId(JsonNode body, Validation v) {
    JsonNode app = body.get("app_id");
    if (app == null || !app.isIntegralNumber() || !app.canConvertToLong()) {
      v.add("app_id", "is required: the app whose secret signs the workflow's API calls");
      return null;
    }
    return app;
  }

  private static void requireApp(Tx tx, long workspaceId, JsonNode app) {
    if (app != null
        && tx.store(AppStore.class)
            .app(app.asLong())
            .filter(a -> a.workspaceId() == workspaceId)
            .isEmpty()) {
      // Another workspace's app is answered as if it did not exist, like every other object.
      throw new Problem.NotFound("app " + app.asLong());
    }
  }

  /** A new workflow has no saved header values: {@code [redacted]} would be sent as it is. */
  private static void refuseRedacted(WorkflowJson.Definition d, Validation v) {
    for (int i = 0; i < d.actions().size(); i++) {
      List<Step> steps = d.actions().get(i).steps();
      for (int j = 0; j < steps.size(); j++) {
        if (steps.get(j) instanceof Step.ApiCall c) {
          String at = "actions[" + i + "].steps[" + j + "].headers.";
          c.headers().entrySet().stream()
              .filter(e -> e.getValue().equals(Revision.REDACTED))
              .forEach(e -> v.add(at + e.getKey(), "is [redacted]: give its value"));
        }
      }
    }
  }

  /** Action user ids and person values of set_fields steps must be people of the workspace. */
  private static void checkPeople(WorkflowJson.Definition d, List<User> people, Validation v) {
    Function<JsonNode, String> person = people(people);
    for (int n = 0; n < d.actions().size(); n++) {
      ActionDef a = d.actions().get(n);
      String at = "actions[" + n + "]";
      a.userIds().stream()
          .filter(id -> people.stream().noneMatch(u -> u.id() == id))
          .forEach(id -> v.add(at + ".users", "user " + id + " is not in this workspace"));
      for (int i = 0; i < a.steps().size(); i++) {
        String step = at + ".steps[" + i + "]";
        switch (a.steps().get(i)) {
          case Step.Assign s
              when s.userId() != null && people.stream().noneMatch(u -> u.id() == s.userId()) ->
              v.add(step + ".user_id", "is not a person in this workspace");
          case Step.SetFields s ->
              s.values()
                  .forEach(
                      (field, value) -> {
                        FieldDef f =
                            d.fields().stream()
                                .filter(x -> x.name().equals(field))
                                .findFirst()
                                .orElseThrow();
                        if (value.isNull() && f.required()) {
                          v.add(step + ".values." + field, "is required and cannot be cleared");
                        } else if (f.type() == FieldType.PERSON
                            && !value.isNull()
                            && person.apply(value) == null) {
                          v.add(step + ".values." + field, "must be a person in this workspace");
                        }
                      });
          default -> {}
        }
      }
    }
  }

  private List<ActionDef> sealHeaders(List<ActionDef> actions) {
    List<ActionDef> out = new ArrayList<>();
    for (ActionDef a : actions) {
      List<Step> steps = new ArrayList<>();
      for (Step s : a.steps()) {
        if (s instanceof Step.ApiCall c) {
          Map<String, String> headers = new LinkedHashMap<>();
          c.headers().forEach((k, value) -> headers.put(k, box.seal(value)));
          s = new Step.ApiCall(c.id(), c.url(), c.method(), headers);
        }
        steps.add(s);
      }
      out.add(a.with(a.id(), steps));
    }
    return out;
  }

  /** Every saved version of a workflow, oldest first. */
  public List<Workflow> versions(User caller, long workflowId) {
    return store.read(
        tx -> {
          workflow(tx, caller, workflowId);
          return tx.store(WorkflowStore.class).versions(workflowId);
        });
  }

  /** A workflow as one of its versions defined it. */
  public Workflow workflowVersion(User caller, long workflowId, int version) {
    return store.read(
        tx -> {
          workflow(tx, caller, workflowId);
          return tx.store(WorkflowStore.class)
              .workflowVersion(workflowId, version)
              .orElseThrow(
                  () -> new Problem.NotFound("version " + version + " of workflow " + workflowId));
        });
  }

  public List<Workflow> workflows(User caller) {
    return store.read(tx -> tx.store(WorkflowStore.class).workflows(caller.workspaceId()));
  }

  public Workflow workflow(User caller, long workflowId) {
    return store.read(tx -> workflow(tx, caller, workflowId));
  }

  private static Workflow workflow(Tx tx, User caller, long workflowId) {
    return tx.store(WorkflowStore.class)
        .workflow(workflowId)
        .filter(w -> w.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("workflow " + workflowId));
  }

  // ---- tasks

  /**
   * Creates a task from {@code {"fields": {...}, "stage": "..."}}; it starts in the first stage
   * unless another is named. A Unique ID another task has is a conflict.
   */
  public Task createTask(User caller, long workflowId, JsonNode body) {
    return store.transaction(
        tx -> {
          Workflow w = workflow(tx, caller, workflowId);
          Map<String, JsonNode> values = new LinkedHashMap<>();
          String stage = applyBody(tx, w, body, values, w.stages().get(0).name());
          Map<String, JsonNode> byId = w.valuesById(values);
          String unique = uniqueKey(w, byId);
          requireUnique(tx, w, unique, null);
          return w.named(
              tx.store(WorkflowStore.class)
                  .insertTask(w.id(), byId, w.stageId(stage), unique, clock.instant()));
        });
  }

  /** Changes the fields given (null clears one) and, if named, the stage. */
  public Task updateTask(User caller, long workflowId, long taskId, JsonNode body) {
    return store.transaction(
        tx -> {
          Workflow w = workflow(tx, caller, workflowId);
          // Held until the write, so that an action committing meanwhile is not overwritten.
          Task stored = inWorkflow(w, taskId, tx.store(WorkflowStore.class).taskForUpdate(taskId));
          Task task = w.named(stored);
          Map<String, JsonNode> values = new LinkedHashMap<>(task.values());
          String stage = applyBody(tx, w, body, values, task.stage());
          // Values under ids this version does not know (a field saved meanwhile) stay as they are.
          Map<String, JsonNode> byId = new LinkedHashMap<>(stored.values());
          w.fields().forEach(f -> byId.remove(f.id()));
          byId.putAll(w.valuesById(values));
          String unique = uniqueKey(w, byId);
          requireUnique(tx, w, unique, taskId);
          return w.named(
              tx.store(WorkflowStore.class)
                  .updateTask(taskId, byId, w.stageId(stage), unique, clock.instant()));
        });
  }

  /** Reads {@code fields} and {@code stage} into {@code values}; returns the stage. */
  private static String applyBody(
      Tx tx, Workflow w, JsonNode body, Map<String, JsonNode> values, String stage) {
    Validation v = new Validation();
    Set<String> invalid = new HashSet<>();
    JsonNode fields = body.get("fields");
    if (fields != null && !fields.isNull() && !fields.isObject()) {
      v.add("fields", "must be an object of field names and values");
    } else if (fields != null) {
      List<User> everyone = tx.store(WorkspaceStore.class).users(w.workspaceId());
      for (var e : fields.properties()) {
        Optional<FieldDef> f = w.field(e.getKey());
        if (f.isEmpty()) {
          v.add(e.getKey(), "is not a field of this workflow");
        } else if (e.getValue().isNull()) {
          values.remove(e.getKey());
        } else {
          try {
            Function<JsonNode, String> people = pickable(everyone, values.get(e.getKey()));
            values.put(e.getKey(), TaskValues.normalize(f.get(), e.getValue(), people));
          } catch (IllegalArgumentException x) {
            v.add(e.getKey(), x.getMessage());
            invalid.add(e.getKey());
          }
        }
      }
    }
    w.fields().stream()
        .filter(f -> f.required() && !values.containsKey(f.name()) && !invalid.contains(f.name()))
        .forEach(f -> v.add(f.name(), "is required"));
    JsonNode s = body.get("stage");
    if (s != null && !s.isNull()) {
      if (!s.isTextual() || w.stage(s.asText()).isEmpty()) {
        v.add("stage", "must name a stage of this workflow");
      } else {
        stage = s.asText();
      }
    }
    v.throwIfUnprocessable();
    return stage;
  }

  private static void requireUnique(Tx tx, Workflow w, String unique, Long self) {
    if (unique == null) {
      return;
    }
    Optional<Task> clash = tx.store(WorkflowStore.class).taskByUniqueKey(w.id(), unique);
    if (clash.isPresent() && (self == null || clash.get().id() != self)) {
      throw new Problem.Conflict(
          "task "
              + clash.get().id()
              + " already has "
              + w.uniqueField()
              + " "
              + unique
              + ": it is the workflow's Unique ID");
    }
  }

  /**
   * The key of a task's Unique ID value (values by field id), or null when the workflow has none or
   * it is unset.
   */
  static String uniqueKey(Workflow w, Map<String, JsonNode> byId) {
    String field = w.uniqueFieldId();
    JsonNode value = field == null ? null : byId.get(field);
    return value == null ? null : TaskValues.key(value);
  }

  public Task task(User caller, long workflowId, long taskId) {
    return store.read(tx -> task(tx, workflow(tx, caller, workflowId), taskId));
  }

  /** The task as the workflow's version names it. */
  private static Task task(Tx tx, Workflow w, long taskId) {
    return w.named(inWorkflow(w, taskId, tx.store(WorkflowStore.class).task(taskId)));
  }

  /** The task found, if it belongs to the workflow; otherwise not found. */
  private static Task inWorkflow(Workflow w, long taskId, Optional<Task> found) {
    return found
        .filter(t -> t.workflowId() == w.id())
        .orElseThrow(() -> new Problem.NotFound("task " + taskId));
  }

  /**
   * A workflow's tasks whose fields equal the given values (as text, read by each field's type;
   * {@code Stage} filters by stage; an empty value finds the tasks where the field is not set);
   * only those not in an end stage when {@code activeOnly}.
   */
  public Page<Task> tasks(
      User caller,
      long workflowId,
      Map<String, String> filters,
      boolean activeOnly,
      PageRequest page) {
    return store.read(
        tx -> {
          Workflow w = workflow(tx, caller, workflowId);
          Validation v = new Validation();
          Map<String, String> keys = new LinkedHashMap<>();
          String stage = null;
          Function<JsonNode, String> people =
              people(tx.store(WorkspaceStore.class).users(w.workspaceId()));
          for (var e : filters.entrySet()) {
            if (e.getKey().equals(WorkflowJson.STAGE)) {
              stage = w.stageId(e.getValue());
              continue;
            }
            Optional<FieldDef> f = w.field(e.getKey());
            if (f.isEmpty()) {
              v.add(e.getKey(), "is not a field of this workflow");
              continue;
            }
            if (e.getValue().isEmpty()) {
              // ?Assigned%20To= : the tasks where the field is not set (nobody assigned).
              keys.put(f.get().id(), TaskFilter.NOT_SET);
              continue;
            }
            JsonNode raw =
                f.get().type() == FieldType.PERSON && e.getValue().matches("[0-9]{1,18}")
                    ? LongNode.valueOf(Long.parseLong(e.getValue()))
                    : TextNode.valueOf(e.getValue());
            try {
              keys.put(f.get().id(), TaskValues.key(TaskValues.normalize(f.get(), raw, people)));
            } catch (IllegalArgumentException x) {
              v.add(e.getKey(), x.getMessage());
            }
          }
          v.throwIfUnprocessable();
          TaskFilter filter = new TaskFilter(keys, stage, activeOnly ? w.endStageIds() : List.of());
          return page.page(
              tx.store(WorkflowStore.class).tasks(w.id(), filter, page).stream()
                  .map(w::named)
                  .toList(),
              Task::id);
        });
  }

  // ---- actions and executions

  /** The actions the caller may run on a task in its current stage. */
  public List<ActionDef> availableActions(User caller, long workflowId, long taskId) {
    return store.transaction(
        tx -> {
          Workflow w = workflow(tx, caller, workflowId);
          Task task = task(tx, w, taskId);
          return w.actions().stream()
              .filter(a -> a.availableIn(task.stage()) && a.mayRun(caller))
              .toList();
        });
  }

  /**
   * Starts an action on a task for {@code performedBy}, a user id (a number) or an email (text);
   * the caller when null. Only admins may act for someone else, and not for a deactivated person.
   * Answers at once with the pending execution, which then runs on its own; while the action is
   * still pending or running on the task, starting it again is a conflict.
   */
  public Execution execute(
      User caller, long workflowId, long taskId, int actionId, JsonNode performedBy) {
    Execution pending =
        store.transaction(
            tx -> {
              Workflow w = workflow(tx, caller, workflowId);
              Task task = task(tx, w, taskId);
              ActionDef action =
                  w.action(actionId).orElseThrow(() -> new Problem.NotFound("action " + actionId));
              User performer = caller;
              if (performedBy != null && !names(performedBy, caller)) {
                if (!caller.isAdmin()) {
                  throw new Problem.Forbidden("only admins may run an action for another person");
                }
                WorkspaceStore people = tx.store(WorkspaceStore.class);
                performer =
                    (performedBy.isIntegralNumber()
                            ? people
                                .user(performedBy.asLong())
                                .filter(u -> u.workspaceId() == caller.workspaceId())
                            : people.userByEmail(
                                caller.workspaceId(), Directory.normalEmail(performedBy.asText())))
                        .orElseThrow(
                            () ->
                                Problem.Unprocessable.of(
                                    "performed_by", "is not a person in this workspace"));
                if (!performer.isActive()) {
                  // Refused as every other new use of someone who has left is.
                  throw new Problem.Conflict("user " + performer.id() + " is deactivated");
                }
              }
              if (!action.mayRun(performer)) {
                throw new Problem.Forbidden(
                    performer.name() + " may not run the action " + action.name());
              }
              Validation v = new Validation();
              if (!action.availableIn(task.stage())) {
                v.add("action_id", action.name() + " is not available in stage " + task.stage());
              }
              action.requirements().stream()
                  .filter(f -> !task.values().containsKey(f))
                  .forEach(f -> v.add(f, "is required by the action " + action.name()));
              v.throwIfUnprocessable();
              return tx.store(WorkflowStore.class)
                  .insertExecution(w, task.id(), action, performer.id(), clock.instant());
            });
    runner.submit(pending.id());
    return pending;
  }

  /** Whether a user id (a number) or an email (text, in any case; stored normalised) names them. */
  private static boolean names(JsonNode person, User u) {
    return person.isIntegralNumber()
        ? person.asLong() == u.id()
        : u.email().equals(Directory.normalEmail(person.asText()));
  }

  public Execution execution(User caller, long executionId) {
    return store
        .transaction(tx -> tx.store(WorkflowStore.class).execution(executionId))
        .filter(e -> e.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("execution " + executionId));
  }

  /**
   * The execution once this node has run it to the end (for tests and embedders); at once with its
   * stored state when this node is not running it.
   */
  public CompletableFuture<Execution> completion(long executionId) {
    return runner.completion(executionId);
  }

  /** Called when the server starts: runs the executions a stop left pending or running. */
  public void resume() {
    runner.resume();
  }

  @Override
  public void close() {
    runner.close();
  }

  /**
   * Like {@link #people}, for a value being set: a deactivated person cannot be newly chosen, but a
   * field that already holds them may keep them (a form sends every field back as it was).
   */
  private static Function<JsonNode, String> pickable(List<User> people, JsonNode current) {
    Function<JsonNode, String> any = people(people);
    return value -> {
      String email = any.apply(value);
      boolean kept = current != null && current.isTextual() && current.asText().equals(email);
      if (email != null
          && !kept
          && people.stream().anyMatch(u -> u.email().equals(email) && !u.isActive())) {
        throw new IllegalArgumentException("is a deactivated person");
      }
      return email;
    };
  }

  /** Turns an email or a user id into a workspace member's email, or null. */
  static Function<JsonNode, String> people(List<User> people) {
    return value ->
        people.stream()
            .filter(
                u ->
                    value.isIntegralNumber()
                        ? u.id() == value.asLong()
                        : u.email().equalsIgnoreCase(value.asText().strip()))
            .map(User::email)
            .findFirst()
            .orElse(null);
  }
}
