package org.backchannel.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.backchannel.core.workflows.ActionDef;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.FieldDef;
import org.backchannel.core.workflows.FieldType;
import org.backchannel.core.workflows.Step;
import org.backchannel.core.workflows.Task;
import org.backchannel.core.workflows.TaskValues;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workspace.User;

/**
 * What the workflow pages show (templates {@code workflows.jte}, {@code board.jte}, {@code
 * taskForm.jte}, {@code task.jte} and {@code taskLive.jte}): tasks' names, values as people read
 * them, and an execution's progress step by step.
 */
final class WorkflowPages {
  /** How many fields besides the title a card on the board shows. */
  private static final int CARD_FIELDS = 3;

  private WorkflowPages() {}

  /**
   * What the task page shows: the execution only when it is one of this task's, with the version of
   * the workflow it ran on ({@code ranOn}), whose steps it went through.
   */
  record TaskView(
      Session session,
      Workflow workflow,
      Task task,
      List<ActionDef> actions,
      Execution execution,
      Workflow ranOn,
      List<User> people) {}

  /** A choice in a select: the value sent and what people read. */
  record Option(String value, String label) {}

  /** A step of an execution as shown: its state and, once run, what it did. */
  record StepView(String state, String description, String detail, Long deliveryId) {}

  /** The form parameter of a workflow's {@code i}th field: names may hold any character. */
  static String param(int i) {
    return "field-" + i;
  }

  static String taskPath(Task t) {
    return "/ui/workflows/" + t.workflowId() + "/tasks/" + t.id();
  }

  /** A task's name: its first text value, as a deal's company name, or its number. */
  static String title(Workflow w, Task t) {
    for (FieldDef f : w.fields()) {
      JsonNode v = t.values().get(f.name());
      if (f.type() == FieldType.TEXT && v != null && !v.asText().isBlank()) {
        return v.asText();
      }
    }
    return "Task #" + t.id();
  }

  /** The fields a card on the board shows besides the title: the first few that are set. */
  static List<Map.Entry<String, String>> cardFields(
      Workflow w, Task t, List<User> people, String title) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (FieldDef f : w.fields()) {
      String v = value(f, t.values().get(f.name()), people, true);
      if (v == null
          || out.size() == CARD_FIELDS
          || (f.type() == FieldType.TEXT && v.equals(title))) {
        continue;
      }
      out.add(new SimpleEntry<>(f.name(), v));
    }
    return out;
  }

  /**
   * A value as people read it, or null when the field is not set. A person is their name and email,
   * or only their name when {@code brief}.
   */
  static String value(FieldDef f, JsonNode v, List<User> people, boolean brief) {
    if (v == null || v.isNull()) {
      return null;
    }
    return switch (f.type()) {
      case BOOLEAN -> v.asBoolean() ? "Yes" : "No";
      case NUMBER -> TaskValues.key(v);
      case PERSON ->
          people.stream()
              .filter(u -> u.email().equalsIgnoreCase(v.asText()))
              .map(u -> brief ? u.name() : u.name() + " (" + u.email() + ")")
              .findFirst()
              .orElse(v.asText());
      case TEXT, DATE, CHOICE -> v.asText();
    };
  }

  /** The choices of a select field, after the first one that leaves it unset. */
  static List<Option> options(FieldDef f, String value, List<User> people) {
    return switch (f.type()) {
      case BOOLEAN -> List.of(new Option("true", "Yes"), new Option("false", "No"));
      // Deactivated people are not offered, unless already chosen: the field keeps them.
      case PERSON ->
          people.stream()
              .filter(u -> u.isActive() || u.email().equalsIgnoreCase(value))
              .map(u -> new Option(u.email(), u.name() + " (" + u.email() + ")"))
              .toList();
      case CHOICE -> f.choices().stream().map(c -> new Option(c, c)).toList();
      case TEXT, NUMBER, DATE -> List.of();
    };
  }

  /**
   * What an execution's headline says. A failure names the failing step and the reason, for the
   * task was left as it was.
   */
  static String headline(Workflow w, Task t, Execution e) {
    List<Step> steps = w.action(e.actionId()).map(ActionDef::steps).orElse(List.of());
    String name = "“" + e.actionName() + "”";
    return switch (e.status()) {
      case PENDING -> name + " is waiting to start.";
      case RUNNING ->
          name + " is running: " + e.history().size() + " of " + steps.size() + " steps done.";
      case SUCCEEDED -> name + " succeeded. The task is now in the stage " + t.stage() + ".";
      case FAILED -> {
        Integer at = e.failedStep();
        String where =
            at == null
                ? ""
                : " at step %d of %d (%s)"
                    .formatted(
                        at + 1,
                        steps.size(),
                        at < steps.size() ? describe(steps.get(at)) : "unknown");
        yield name + " failed" + where + ": " + e.reason() + ". The task was not changed.";
      }
    };
  }

  /** Every step of the execution's action, with how far the execution got. */
  static List<StepView> steps(Workflow w, Execution e) {
    List<Step> steps = w.action(e.actionId()).map(ActionDef::steps).orElse(List.of());
    List<StepView> out = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      String state = "not run";
      String detail = null;
      Long delivery = null;
      if (i < e.history().size()) {
        Execution.StepRecord r = e.history().get(i);
        state = r.succeeded() ? "done" : "failed";
        detail = r.detail();
        delivery = r.deliveryId();
      } else if (i == e.history().size() && !e.status().finished()) {
        state = e.status() == Execution.Status.RUNNING ? "running" : "waiting";
      }
      out.add(new StepView(state, describe(steps.get(i)), detail, delivery));
    }
    return out;
  }

  /** A step as people read it; an API Call shows where it goes, never its headers. */
  static String describe(Step step) {
    return switch (step) {
      case Step.SetFields f -> "Set " + String.join(", ", f.values().keySet());
      case Step.MoveToStage m -> "Move to " + m.stage();
      case Step.Assign a -> "Assign " + a.field();
      case Step.ApiCall c ->
          "API Call " + (c.method() == null ? "POST" : c.method()) + " " + c.url();
    };
  }
}
