package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.backchannel.core.Json;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivered;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryEngine;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workflows.Execution.Status;
import org.backchannel.core.workflows.Execution.StepRecord;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs executions on virtual threads, one step after another. Every change the steps make is staged
 * in memory and written to the task, with the execution's success, in one transaction once the last
 * step succeeded: an aborted action leaves the task exactly as it was. No transaction is held
 * across an API call.
 */
final class ExecutionRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionRunner.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  // The seed sends the assignee second, right after the stage.
  private static final String ASSIGNED_TO = "Assigned To";
  static final String INTERRUPTED =
      "interrupted: the server stopped while the action ran; the task was not changed";

  private final Store store;
  private final SecretBox box;
  private final DeliveryEngine engine;
  private final InstantSource clock;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<Long, CompletableFuture<Execution>> running = new ConcurrentHashMap<>();

  ExecutionRunner(Store store, SecretBox box, DeliveryEngine engine, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.engine = engine;
    this.clock = clock;
  }

  /** Starts a pending execution; if this node is stopping, it stays pending for the next start. */
  void submit(long executionId) {
    CompletableFuture<Execution> done = new CompletableFuture<>();
    running.put(executionId, done);
    try {
      executor.execute(
          () -> {
            try {
              done.complete(run(executionId));
            } catch (RuntimeException e) {
              LOG.error("execution {} failed unexpectedly", executionId, e);
              done.completeExceptionally(e);
            } finally {
              running.remove(executionId);
            }
          });
    } catch (RejectedExecutionException e) {
      running.remove(executionId);
      done.completeExceptionally(e);
      LOG.warn("execution {} stays pending: the runner is stopping", executionId);
    }
  }

  /**
   * The execution once this node has finished running it; at once with its stored state when this
   * node is not running it.
   */
  CompletableFuture<Execution> completion(long executionId) {
    CompletableFuture<Execution> done = running.get(executionId);
    if (done != null) {
      return done;
    }
    return CompletableFuture.completedFuture(
        store.read(tx -> tx.store(WorkflowStore.class).execution(executionId)).orElseThrow());
  }

  /**
   * After a start: runs what was left pending, and fails what was left running, since its API calls
   * may have gone out and its staged changes are lost; the task was never changed.
   */
  void resume() {
    List<Execution> left = store.read(tx -> tx.store(WorkflowStore.class).unfinishedExecutions());
    for (Execution e : left) {
      if (e.status() == Status.PENDING) {
        submit(e.id());
      } else {
        store.transaction(
            tx ->
                tx.store(WorkflowStore.class)
                    .updateExecution(
                        e.withProgress(
                            Status.FAILED, null, INTERRUPTED, e.history(), clock.instant()),
                        Status.RUNNING));
        LOG.warn("execution {} was interrupted by a stop and is marked failed", e.id());
      }
    }
  }

  /**
   * What a run needs, read once when it starts: the workflow as the version the execution started
   * on defines it, and the task as that version names it.
   */
  private record Context(
      Execution execution, Workflow workflow, Task task, User performer, List<User> people) {}

  /** A run's changes, applied to the task only when every step succeeded. */
  private static final class Staged {
    final Map<String, JsonNode> values;
    final Map<String, JsonNode> changes = new LinkedHashMap<>();
    String stage;
    boolean stageChanged;

    Staged(Task task) {
      this.values = new LinkedHashMap<>(task.values());
      this.stage = task.stage();
    }

    void set(String field, JsonNode value) {
      changes.put(field, value);
      if (value == null || value.isNull()) {
        values.remove(field);
      } else {
        values.put(field, value);
      }
    }

    void move(String to) {
      stage = to;
      stageChanged = true;
    }
  }

  /** A step that could not be carried out, and why. */
  private static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Long deliveryId;

    StepFailed(String reason, Long deliveryId) {
      super(reason, null, false, false);
      this.deliveryId = deliveryId;
    }
  }

  Execution run(long executionId) {
    Optional<Context> claimed = store.transaction(tx -> claim(tx, executionId));
    if (claimed.isEmpty()) {
      return store.read(tx -> tx.store(WorkflowStore.class).execution(executionId)).orElseThrow();
    }
    Context c = claimed.get();
    Execution e = c.execution();
    Staged staged = new Staged(c.task());
    ActionDef action = c.workflow().action(e.actionId()).orElseThrow();
    List<StepRecord> history = new ArrayList<>();
    for (int i = 0; i < action.steps().size(); i++) {
      Step step = action.steps().get(i);
      try {
        StepRecord done = step(c, action, i, step, staged);
        history.add(done);
        e = e.withProgress(Status.RUNNING, null, null, history, clock.instant());
        Execution progress = e;
        if (!store.transaction(
            tx -> tx.store(WorkflowStore.class).updateExecution(progress, Status.RUNNING))) {
          return store
              .read(tx -> tx.store(WorkflowStore.class).execution(executionId))
              .orElseThrow();
        }
      } catch (StepFailed failed) {
        history.add(new StepRecord(i, step.type(), false, failed.deliveryId, failed.getMessage()));
        return fail(e, i, failed.getMessage(), history);
      }
    }
    return commit(c, e, staged, history);
  }

  private Optional<Context> claim(Tx tx, long executionId) {
    WorkflowStore w = tx.store(WorkflowStore.class);
    Execution e = w.execution(executionId).orElseThrow();
    if (e.status() != Status.PENDING) {
      return Optional.empty();
    }
    Execution started = e.withProgress(Status.RUNNING, null, null, List.of(), clock.instant());
    if (!w.updateExecution(started, Status.PENDING)) {
      return Optional.empty();
    }
    Workflow workflow = w.workflowVersion(e.workflowId(), e.workflowVersion()).orElseThrow();
    return Optional.of(
        new Context(
            started,
            workflow,
            workflow.named(w.task(e.taskId()).orElseThrow()),
            tx.store(WorkspaceStore.class).user(e.performedBy()).orElseThrow(),
            tx.store(WorkspaceStore.class).users(e.workspaceId())));
  }

  private StepRecord step(Context c, ActionDef action, int index, Step step, Staged staged) {
    return switch (step) {
      case Step.SetFields s -> {
        s.values().forEach(staged::set);
        yield new StepRecord(
            index, step.type(), true, null, "set " + String.join(", ", s.values().keySet()));
      }
      case Step.MoveToStage m -> {
        staged.move(m.stage());
        yield new StepRecord(index, step.type(), true, null, "moved to " + m.stage());
      }
      case Step.Assign a -> {
        User user =
            a.userId() == null
                ? c.performer()
                : c.people().stream()
                    .filter(u -> u.id() == a.userId())
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new StepFailed(
                                "user " + a.userId() + " is not in this workspace", null));
        if (!user.isActive()) {
          throw new StepFailed("user " + user.id() + " is deactivated", null);
        }
        staged.set(a.field(), F.textNode(user.email()));
        yield new StepRecord(
            index, step.type(), true, null, "assigned " + a.field() + " to " + user.email());
      }
      case Step.ApiCall call -> apiCall(c, action, index, call, staged);
    };
  }

  private StepRecord apiCall(
      Context c, ActionDef action, int index, Step.ApiCall call, Staged staged) {
    ObjectNode body = F.objectNode().put("action", action.name());
    User p = c.performer();
    String name = p.name().strip();
    int space = name.indexOf(' ');
    body.putObject("user")
        .put("id", Long.toString(p.id()))
        .put("email", p.email())
        .put("first_name", space < 0 ? name : name.substring(0, space))
        .put("last_name", space < 0 ? "" : name.substring(space + 1).strip());
    body.set("task", seedForm(c.workflow(), staged));
    ObjectNode headers = F.objectNode();
    call.headers().forEach((header, value) -> headers.put(header, box.open(value)));
    Execution e = c.execution();
    // Sent once, now, and never queued: a failed call aborts the action.
    Delivered delivered =
        engine.callNow(
            new NewDelivery(
                e.workspaceId(),
                c.workflow().appId(),
                Contract.FLOWDASH,
                "workflow.api_call",
                call.method(),
                call.url(),
                p.id(),
                Json.bytes(body),
                headers.isEmpty() ? null : box.seal(Json.write(headers)),
                null));
    Delivery delivery = delivered.delivery();
    return switch (delivered.outcome()) {
      case Outcome.Succeeded s when s.unreadable() ->
          // A success all the same: only the changes the answer might have carried are lost.
          new StepRecord(
              index,
              "api_call",
              true,
              delivery.id(),
              s.summary() + "; the answer was unreadable (not JSON), so it changed nothing");
      case Outcome.Succeeded s -> {
        String applied = applyAnswer(c, s.answer(), staged, delivery.id());
        yield new StepRecord(index, "api_call", true, delivery.id(), s.summary() + applied);
      }
      case Outcome.Failed f -> throw new StepFailed(f.reason(), delivery.id());
      case Outcome.AuthenticationRequired a ->
          throw new StepFailed("the app asked the person to authenticate", delivery.id());
    };
  }

  /**
   * The task as the Flowdash seed writes it, so that an app typed after the seed reads it: {@code
   * Stage} first, then {@code Assigned To}, then the fields in definition order; numbers as text.
   */
  private static ObjectNode seedForm(Workflow workflow, Staged staged) {
    ObjectNode task = F.objectNode().put(WorkflowJson.STAGE, staged.stage);
    List<FieldDef> fields = new ArrayList<>(workflow.fields());
    fields.sort(Comparator.comparing(f -> !f.name().equals(ASSIGNED_TO)));
    for (FieldDef f : fields) {
      JsonNode value = staged.values.getOrDefault(f.name(), F.nullNode());
      task.set(f.name(), value.isNumber() ? F.textNode(TaskValues.key(value)) : value);
    }
    return task;
  }

  /** Stages the fields of an answer's {@code task} object, all or none. */
  private static String applyAnswer(Context c, JsonNode answer, Staged staged, long deliveryId) {
    JsonNode task = answer == null || !answer.isObject() ? null : answer.get("task");
    if (task == null || task.isNull()) {
      return "";
    }
    if (!task.isObject()) {
      throw new StepFailed("the app's answer is not valid: task must be an object", deliveryId);
    }
    Function<JsonNode, String> people = Workflows.people(c.people());
    Map<String, JsonNode> updates = new LinkedHashMap<>();
    String stage = null;
    List<String> errors = new ArrayList<>();
    for (var entry : task.properties()) {
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      if (name.equals(WorkflowJson.STAGE)) {
        if (value.isTextual() && c.workflow().stage(value.asText()).isPresent()) {
          stage = value.asText();
        } else {
          errors.add("Stage must name a stage of this workflow");
        }
        continue;
      }
      Optional<FieldDef> field = c.workflow().field(name);
      if (field.isEmpty()) {
        errors.add("'" + name + "' is not a field of this workflow");
      } else if (value.isNull()) {
        if (field.get().required()) {
          errors.add(name + " is required");
        } else {
          updates.put(name, null);
        }
      } else {
        try {
          updates.put(name, TaskValues.normalize(field.get(), value, people));
        } catch (IllegalArgumentException x) {
          errors.add(name + " " + x.getMessage());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new StepFailed(
          "the app's answer is not valid: " + String.join("; ", errors), deliveryId);
    }
    updates.forEach(staged::set);
    if (stage != null) {
      staged.move(stage);
    }
    List<String> changed = new ArrayList<>(updates.keySet());
    if (stage != null) {
      changed.add(WorkflowJson.STAGE);
    }
    return changed.isEmpty() ? "" : "; updated " + String.join(", ", changed);
  }

  /**
   * Writes the staged changes onto the task as it is now, with the execution's success. The steps
   * ran on the execution's version; the changes are written by field id, so they land in the fields
   * as the current version names them, and are refused if that version no longer takes them.
   */
  private Execution commit(Context c, Execution e, Staged staged, List<StepRecord> history) {
    Execution succeeded = e.withProgress(Status.SUCCEEDED, null, null, history, clock.instant());
    Workflow then = c.workflow();
    try {
      return store.transaction(
          tx -> {
            WorkflowStore w = tx.store(WorkflowStore.class);
            Workflow now = w.workflow(e.workflowId()).orElseThrow();
            // Held until the commit, so that no change lands between these checks and the write.
            Task current = w.taskForUpdate(e.taskId()).orElseThrow();
            stillAllowed(action(c), then.named(current));
            Map<String, JsonNode> values = new LinkedHashMap<>(current.values());
            staged.changes.forEach(
                (field, value) -> {
                  FieldDef f = then.field(field).orElseThrow();
                  if (!stillTakes(now, f, value)) {
                    return; // removed from the workflow meanwhile: nowhere to keep it
                  }
                  if (value == null || value.isNull()) {
                    values.remove(f.id());
                  } else {
                    values.put(f.id(), value);
                  }
                });
            String stage = current.stage();
            if (staged.stageChanged) {
              stage = then.stageId(staged.stage);
              if (now.stageById(stage).isEmpty()) {
                throw new StepFailed(
                    "the workflow changed meanwhile: the stage "
                        + staged.stage
                        + " was removed; the task was not changed",
                    null);
              }
            }
            String unique = Workflows.uniqueKey(now, values);
            Optional<Task> clash =
                unique == null ? Optional.empty() : w.taskByUniqueKey(e.workflowId(), unique);
            if (clash.isPresent() && clash.get().id() != current.id()) {
              throw new StepFailed(
                  "the changes clash with task "
                      + clash.get().id()
                      + ": it has the same "
                      + now.uniqueField(),
                  null);
            }
            if (!w.updateExecution(succeeded, Status.RUNNING)) {
              throw new StepFailed(INTERRUPTED, null);
            }
            w.updateTask(current.id(), values, stage, unique, clock.instant());
            return succeeded;
          });
    } catch (StepFailed failed) {
      if (INTERRUPTED.equals(failed.getMessage())) {
        return store
            .transaction(tx -> tx.store(WorkflowStore.class).execution(e.id()))
            .orElseThrow();
      }
      return fail(e, null, failed.getMessage(), history);
    }
  }

  /**
   * Whether the current version still has the field a step set (false when it was removed), with
   * the type and the choice the value was checked against.
   */
  private static boolean stillTakes(Workflow now, FieldDef then, JsonNode value) {
    Optional<FieldDef> f = now.fieldById(then.id());
    if (f.isEmpty()) {
      return false;
    }
    if (f.get().type() != then.type()) {
      throw new StepFailed(
          "the workflow changed meanwhile: "
              + f.get().name()
              + " is now a "
              + f.get().type().label()
              + " field; the task was not changed",
          null);
    }
    if (value != null
        && !value.isNull()
        && f.get().type() == FieldType.CHOICE
        && !f.get().choices().contains(value.asText())) {
      throw new StepFailed(
          "the workflow changed meanwhile: "
              + f.get().name()
              + " no longer has the choice "
              + value.asText()
              + "; the task was not changed",
          null);
    }
    if (value == null || value.isNull()) {
      if (f.get().required()) {
        throw new StepFailed(
            "the workflow changed meanwhile: "
                + f.get().name()
                + " is now required; the task was not changed",
            null);
      }
    }
    return true;
  }

  private static ActionDef action(Context c) {
    return c.workflow().action(c.execution().actionId()).orElseThrow();
  }

  /**
   * The task may have changed while the steps ran (edited, or moved by another action): the action
   * must still be available in its stage, with its requirements set, or nothing is written.
   */
  private static void stillAllowed(ActionDef action, Task current) {
    if (!action.availableIn(current.stage())) {
      throw new StepFailed(
          "the task moved to stage "
              + current.stage()
              + " meanwhile, where "
              + action.name()
              + " is not available; the task was not changed",
          null);
    }
    List<String> missing =
        action.requirements().stream().filter(f -> !current.values().containsKey(f)).toList();
    if (!missing.isEmpty()) {
      throw new StepFailed(
          String.join(", ", missing)
              + (missing.size() == 1 ? " was" : " were")
              + " cleared meanwhile: required by the action "
              + action.name()
              + "; the task was not changed",
          null);
    }
  }

  private Execution fail(Execution e, Integer step, String reason, List<StepRecord> history) {
    Execution failed = e.withProgress(Status.FAILED, step, reason, history, clock.instant());
    store.transaction(tx -> tx.store(WorkflowStore.class).updateExecution(failed, Status.RUNNING));
    LOG.info("execution {} failed at step {}: {}", e.id(), step, reason);
    return store.read(tx -> tx.store(WorkflowStore.class).execution(e.id())).orElseThrow();
  }

  /** Stops taking executions and waits a bounded time for those running to finish. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
