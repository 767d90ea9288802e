package org.backchannel.server.web;

import static org.backchannel.server.web.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backchannel.core.Page;
import org.backchannel.core.workflows.ActionDef;
import org.backchannel.core.workflows.Execution;
import org.backchannel.core.workflows.FieldDef;
import org.backchannel.core.workflows.FieldType;
import org.backchannel.core.workflows.Stage;
import org.backchannel.core.workflows.Step;
import org.backchannel.core.workflows.Task;
import org.backchannel.core.workflows.TaskValues;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workspace.User;

/** The HTML of the workflow pages. Every name and value is escaped here. */
final class WorkflowPages {
  /** How many fields besides the title a card on the board shows. */
  private static final int CARD_FIELDS = 3;

  private WorkflowPages() {}

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

  // ---- the list

  static String list(List<Workflow> workflows) {
    if (workflows.isEmpty()) {
      return """
          <h1>Workflows</h1>
          <p class="empty">No workflows yet. An admin defines them with the API
          (<code>POST /api/v1/workflows</code>).</p>
          """;
    }
    StringBuilder items = new StringBuilder();
    for (Workflow w : workflows) {
      items.append(
          """
          <li><a href="/ui/workflows/%d">%s</a> <span class="stages">%s</span></li>
          """
              .formatted(
                  w.id(),
                  esc(w.name()),
                  esc(String.join(" → ", w.stages().stream().map(Stage::name).toList()))));
    }
    return "<h1>Workflows</h1><ul class=\"workflow-list\">" + items + "</ul>";
  }

  // ---- the board

  static String board(Workflow w, Map<Stage, Page<Task>> columns, List<User> people) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (var column : columns.entrySet()) {
      Stage stage = column.getKey();
      List<Task> tasks = column.getValue().items();
      String count =
          (column.getValue().next() != null ? "the newest " : "")
              + tasks.size()
              + (tasks.size() == 1 ? " task" : " tasks");
      out.append("<section class=\"stage")
          .append(stage.end() ? " end" : "")
          .append("\" aria-labelledby=\"stage-")
          .append(i)
          .append("\"><h2 id=\"stage-")
          .append(i)
          .append("\">")
          .append(esc(stage.name()))
          .append(stage.end() ? " <span class=\"badge\">End stage</span>" : "")
          .append(" <span class=\"count\">")
          .append(count)
          .append("</span></h2>");
      if (tasks.isEmpty()) {
        out.append("<p class=\"empty\">No tasks.</p>");
      } else {
        out.append("<ol class=\"cards\">");
        tasks.forEach(t -> out.append(card(w, t, people)));
        out.append("</ol>");
      }
      out.append("</section>");
      i++;
    }
    return """
        <p class="crumbs"><a href="/ui/workflows">Workflows</a></p>
        <div class="board-head">
          <h1>%s</h1>
          <a class="button" href="/ui/workflows/%d/tasks/new">New task</a>
        </div>
        <div class="board">%s</div>
        """
        .formatted(esc(w.name()), w.id(), out);
  }

  private static String card(Workflow w, Task t, List<User> people) {
    String title = title(w, t);
    StringBuilder fields = new StringBuilder();
    int shown = 0;
    for (FieldDef f : w.fields()) {
      String v = value(f, t.values().get(f.name()), people, true);
      if (v == null || shown == CARD_FIELDS || (f.type() == FieldType.TEXT && v.equals(title))) {
        continue;
      }
      fields.append("<div><dt>").append(esc(f.name())).append("</dt><dd>");
      fields.append(esc(v)).append("</dd></div>");
      shown++;
    }
    return """
        <li class="card"><a href="%s">%s</a> <span class="task-id">#%d</span>%s</li>
        """
        .formatted(
            taskPath(t),
            esc(title),
            t.id(),
            fields.isEmpty() ? "" : "<dl class=\"card-fields\">" + fields + "</dl>");
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

  // ---- creating a task

  static String taskForm(
      Web.Session s,
      Workflow w,
      List<User> people,
      Map<String, String> given,
      Map<String, List<String>> errors) {
    StringBuilder inputs = new StringBuilder();
    StringBuilder summary = new StringBuilder();
    for (int i = 0; i < w.fields().size(); i++) {
      FieldDef f = w.fields().get(i);
      List<String> reasons = errors.getOrDefault(f.name(), List.of());
      String id = param(i);
      String error =
          reasons.isEmpty()
              ? ""
              : "<p class=\"field-error\" id=\"%s-error\">%s</p>"
                  .formatted(id, esc(String.join("; ", reasons)));
      String attrs =
          "id=\"%s\" name=\"%s\"%s%s"
              .formatted(
                  id,
                  id,
                  f.required() ? " required" : "",
                  reasons.isEmpty()
                      ? ""
                      : " aria-invalid=\"true\" aria-describedby=\"" + id + "-error\"");
      inputs.append(
          """
          <div class="form-field%s">
            <label for="%s">%s%s <span class="type">%s</span></label>
            %s
            %s
          </div>
          """
              .formatted(
                  reasons.isEmpty() ? "" : " invalid",
                  id,
                  esc(f.name()),
                  f.required() ? " <span class=\"required\">(required)</span>" : "",
                  esc(f.type().label()),
                  input(f, attrs, given.getOrDefault(f.name(), ""), people),
                  error));
      if (!reasons.isEmpty()) {
        summary.append(
            "<li><a href=\"#%s\">%s</a>: %s</li>"
                .formatted(id, esc(f.name()), esc(String.join("; ", reasons))));
      }
    }
    // Reasons not about one field (there should be none) still show, in the summary.
    errors.forEach(
        (name, reasons) -> {
          if (w.field(name).isEmpty()) {
            summary.append("<li>%s %s</li>".formatted(esc(name), esc(String.join("; ", reasons))));
          }
        });
    String alert =
        summary.isEmpty()
            ? ""
            : "<div class=\"alert\" role=\"alert\"><p>The task was not created:</p><ul>"
                + summary
                + "</ul></div>";
    return """
        <p class="crumbs"><a href="/ui/workflows">Workflows</a> › <a href="/ui/workflows/%d">%s</a></p>
        <h1>New task</h1>
        %s
        <form method="post" action="/ui/workflows/%d/tasks" class="task-form">
          <input type="hidden" name="csrf" value="%s">
          %s
          <p>It starts in the stage %s.</p>
          <button type="submit">Create task</button>
        </form>
        """
        .formatted(
            w.id(),
            esc(w.name()),
            alert,
            w.id(),
            esc(s.csrf()),
            inputs,
            esc(w.stages().getFirst().name()));
  }

  private static String input(FieldDef f, String attrs, String value, List<User> people) {
    return switch (f.type()) {
      case TEXT ->
          "<input type=\"text\" %s maxlength=\"10000\" value=\"%s\">".formatted(attrs, esc(value));
      // Text, not type=number: a browser would drop what it cannot read instead of saying why.
      case NUMBER ->
          "<input type=\"text\" inputmode=\"decimal\" %s value=\"%s\">"
              .formatted(attrs, esc(value));
      case DATE -> "<input type=\"date\" %s value=\"%s\">".formatted(attrs, esc(value));
      case BOOLEAN -> select(attrs, value, List.of(List.of("true", "Yes"), List.of("false", "No")));
      case PERSON ->
          select(
              attrs,
              value,
              // Deactivated people are not offered, unless already chosen: the field keeps them.
              people.stream()
                  .filter(u -> u.isActive() || u.email().equalsIgnoreCase(value))
                  .map(u -> List.of(u.email(), u.name() + " (" + u.email() + ")"))
                  .toList());
      case CHOICE -> select(attrs, value, f.choices().stream().map(c -> List.of(c, c)).toList());
    };
  }

  /** A select of value and label pairs, with a first option that leaves the field unset. */
  private static String select(String attrs, String value, List<List<String>> options) {
    StringBuilder out = new StringBuilder("<select ").append(attrs).append(">");
    out.append("<option value=\"\">Not set</option>");
    for (List<String> o : options) {
      out.append("<option value=\"")
          .append(esc(o.get(0)))
          .append('"')
          .append(o.get(0).equalsIgnoreCase(value) ? " selected" : "")
          .append('>')
          .append(esc(o.get(1)))
          .append("</option>");
    }
    return out.append("</select>").toString();
  }

  // ---- a task

  static String task(
      Web.Session s,
      Workflow w,
      Task t,
      List<ActionDef> actions,
      Execution execution,
      List<User> people,
      Map<String, List<String>> refused) {
    String alert = "";
    if (refused != null) {
      StringBuilder reasons = new StringBuilder();
      refused.forEach(
          (name, why) ->
              reasons.append("<li>%s %s</li>".formatted(esc(name), esc(String.join("; ", why)))));
      alert =
          "<div class=\"alert\" role=\"alert\"><p>The action did not run:</p><ul>"
              + reasons
              + "</ul></div>";
    }
    return """
        <p class="crumbs"><a href="/ui/workflows">Workflows</a> › <a href="/ui/workflows/%d">%s</a></p>
        <h1>%s</h1>
        <p class="sub">Task #%d · created %s · updated %s</p>
        %s
        <div id="task-live" aria-live="polite" data-src="%s/live%s">%s</div>
        """
        .formatted(
            w.id(),
            esc(w.name()),
            esc(title(w, t)),
            t.id(),
            Pages.time(t.createdAt()),
            Pages.time(t.updatedAt()),
            alert,
            taskPath(t),
            execution == null ? "" : "?execution=" + execution.id(),
            live(s, w, t, actions, execution, people));
  }

  /** The part of the task page an execution changes: its progress, the task, its actions. */
  static String live(
      Web.Session s,
      Workflow w,
      Task t,
      List<ActionDef> actions,
      Execution execution,
      List<User> people) {
    Stage stage = w.stage(t.stage()).orElse(new Stage(t.stage(), false));
    StringBuilder fields = new StringBuilder();
    fields
        .append("<div><dt>Stage</dt><dd class=\"task-stage\">")
        .append(esc(stage.name()))
        .append(stage.end() ? " <span class=\"badge\">End stage</span>" : "")
        .append("</dd></div>");
    for (FieldDef f : w.fields()) {
      String v = value(f, t.values().get(f.name()), people, false);
      fields
          .append("<div><dt>")
          .append(esc(f.name()))
          .append("</dt><dd")
          .append(v == null ? " class=\"empty\">Not set" : ">" + esc(v))
          .append("</dd></div>");
    }
    StringBuilder buttons = new StringBuilder();
    for (ActionDef a : actions) {
      List<String> missing =
          a.requirements().stream().filter(r -> !t.values().containsKey(r)).toList();
      String needs =
          missing.isEmpty()
              ? ""
              : "<span class=\"needs\" id=\"needs-%d\">Needs %s</span>"
                  .formatted(a.id(), esc(String.join(", ", missing)));
      buttons.append(
          """
          <form method="post" action="%s/actions/%d">
            <input type="hidden" name="csrf" value="%s">
            <button type="submit"%s>%s</button>%s
          </form>
          """
              .formatted(
                  taskPath(t),
                  a.id(),
                  esc(s.csrf()),
                  missing.isEmpty() ? "" : " aria-describedby=\"needs-" + a.id() + "\"",
                  esc(a.name()),
                  needs));
    }
    return """
        %s
        <dl class="fields task-fields">%s</dl>
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">Actions</h2>
          %s
        </section>
        """
        .formatted(
            execution == null ? "" : execution(s, w, t, execution),
            fields,
            buttons.isEmpty()
                ? "<p class=\"empty\">No actions you may run in this stage.</p>"
                : "<div class=\"actions\">" + buttons + "</div>");
  }

  /**
   * An execution's progress, step by step. A failure is an alert naming the failing step and the
   * reason, for the task was left as it was.
   */
  static String execution(Web.Session s, Workflow w, Task t, Execution e) {
    List<Step> steps = w.action(e.actionId()).map(ActionDef::steps).orElse(List.of());
    String name = "“" + esc(e.actionName()) + "”";
    String status = e.status().label();
    String headline =
        switch (e.status()) {
          case PENDING -> name + " is waiting to start.";
          case RUNNING ->
              name + " is running: " + e.history().size() + " of " + steps.size() + " steps done.";
          case SUCCEEDED ->
              name + " succeeded. The task is now in the stage " + esc(t.stage()) + ".";
          case FAILED -> {
            Integer at = e.failedStep();
            String where =
                at == null
                    ? ""
                    : " at step %d of %d (%s)"
                        .formatted(
                            at + 1,
                            steps.size(),
                            at < steps.size() ? esc(describe(steps.get(at))) : "unknown");
            yield name + " failed" + where + ": " + esc(e.reason()) + ". The task was not changed.";
          }
        };
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < steps.size(); i++) {
      String state = "not run";
      String detail = "";
      String link = "";
      if (i < e.history().size()) {
        Execution.StepRecord r = e.history().get(i);
        state = r.succeeded() ? "done" : "failed";
        detail = r.detail() == null ? "" : " · " + esc(r.detail());
        if (r.deliveryId() != null && s.user().isAdmin()) {
          link =
              " · <a href=\"/ui/deliveries/%d\">delivery #%d</a>"
                  .formatted(r.deliveryId(), r.deliveryId());
        }
      } else if (i == e.history().size() && !e.status().finished()) {
        state = e.status() == Execution.Status.RUNNING ? "running" : "waiting";
      }
      list.append(
          "<li class=\"step step-%s\"><span class=\"step-state\">%s</span> %s%s%s</li>"
              .formatted(
                  state.replace(' ', '-'), state, esc(describe(steps.get(i))), detail, link));
    }
    return """
        <div id="execution" class="execution execution-%s" tabindex="-1" data-execution="%s"%s>
          <p><span class="execution-status">%s</span> %s</p>
          <ol class="steps">%s</ol>
        </div>
        """
        .formatted(
            status.toLowerCase(Locale.ROOT),
            status,
            e.status() == Execution.Status.FAILED ? " role=\"alert\"" : "",
            status,
            headline,
            list);
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
