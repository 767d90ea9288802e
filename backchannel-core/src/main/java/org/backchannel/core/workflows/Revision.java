package org.backchannel.core.workflows;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.backchannel.core.Validation;

/**
 * A new definition of a saved workflow, resolved against its current version. Each entry is the
 * saved one its id names; one left without an id is the saved one of the same name (a field, stage
 * or action) or at the same place of the same action (a step of the same type), or else new. New
 * ones get ids never used in any version, so the values of a removed field never come back. An API
 * Call header given as {@code [redacted]} keeps its saved value, as long as the URL still goes to
 * the same origin. A change that would strand what tasks hold (a field's type, a choice, a stage
 * with tasks in it, a Unique ID that tasks share) is refused by the field.
 */
final class Revision {
  static final String REDACTED = "[redacted]";

  private final Workflow current;
  private final WorkflowStore store;
  private final Validation v;
  private final Set<String> usedFieldIds = new HashSet<>();
  private final Set<String> usedStageIds = new HashSet<>();
  private int nextAction = 1;
  private int nextStep = 1;

  /** {@code history}: every saved version, the current one included. */
  Revision(Workflow current, List<Workflow> history, WorkflowStore store, Validation v) {
    this.current = current;
    this.store = store;
    this.v = v;
    for (Workflow w : history) {
      w.fields().forEach(f -> usedFieldIds.add(f.id()));
      w.stages().forEach(s -> usedStageIds.add(s.id()));
      for (ActionDef a : w.actions()) {
        nextAction = Math.max(nextAction, a.id() + 1);
        a.steps().forEach(s -> nextStep = Math.max(nextStep, s.id() + 1));
      }
    }
  }

  /** The definition with every id resolved, new header values sealed and redacted ones kept. */
  WorkflowJson.Definition resolve(WorkflowJson.Definition d, UnaryOperator<String> seal) {
    List<FieldDef> fields = fields(d.fields());
    List<Stage> stages = stages(d.stages());
    List<ActionDef> actions = actions(d.actions(), seal);
    WorkflowJson.Definition resolved =
        new WorkflowJson.Definition(fields, d.uniqueField(), stages, actions);
    uniqueField(resolved);
    return resolved;
  }

  private List<FieldDef> fields(List<FieldDef> given) {
    Set<String> claimed = new HashSet<>();
    given.stream().map(FieldDef::id).filter(Objects::nonNull).forEach(claimed::add);
    List<FieldDef> out = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      FieldDef f = given.get(i);
      String at = "fields[" + i + "]";
      FieldDef saved;
      if (f.id() != null) {
        saved = current.fieldById(f.id()).orElse(null);
        if (saved == null) {
          v.add(at + ".id", "is not a field of this workflow: leave it out for a new field");
        }
      } else {
        saved = current.field(f.name()).filter(c -> !claimed.contains(c.id())).orElse(null);
      }
      String id;
      if (saved != null) {
        claimed.add(saved.id());
        stranded(at, saved, f);
        id = saved.id();
      } else {
        id = f.id() != null ? f.id() : fresh(f.name(), usedFieldIds);
      }
      out.add(f.withId(id));
    }
    return out;
  }

  /**
   * A saved field may change its type, or lose a choice, only while no task holds a value it would
   * leave invalid.
   */
  private void stranded(String at, FieldDef was, FieldDef now) {
    if (was.type() != now.type()) {
      if (store.holds(current.id(), was.id(), null)) {
        v.add(
            at + ".type",
            "cannot change from "
                + was.type().label()
                + " to "
                + now.type().label()
                + ": tasks hold values of "
                + was.name()
                + "; add a new field instead");
      }
      return;
    }
    for (String choice : was.choices()) {
      if (!now.choices().contains(choice) && store.holds(current.id(), was.id(), choice)) {
        v.add(at + ".choices", "must keep '" + choice + "': tasks hold it");
      }
    }
  }

  private List<Stage> stages(List<Stage> given) {
    Set<String> claimed = new HashSet<>();
    given.stream().map(Stage::id).filter(Objects::nonNull).forEach(claimed::add);
    List<Stage> out = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      Stage s = given.get(i);
      Stage saved;
      if (s.id() != null) {
        saved = current.stageById(s.id()).orElse(null);
        if (saved == null) {
          v.add(
              "stages[" + i + "].id",
              "is not a stage of this workflow: leave it out for a new stage");
        }
      } else {
        saved = current.stage(s.name()).filter(c -> !claimed.contains(c.id())).orElse(null);
      }
      if (saved != null) {
        claimed.add(saved.id());
      }
      String id =
          saved != null ? saved.id() : s.id() != null ? s.id() : fresh(s.name(), usedStageIds);
      out.add(s.withId(id));
    }
    for (Stage was : current.stages()) {
      if (out.stream().noneMatch(s -> s.id().equals(was.id()))
          && store.hasTasksIn(current.id(), was.id())) {
        v.add(
            "stages",
            "must keep " + was.name() + ": tasks are in it; move them to another stage first");
      }
    }
    return out;
  }

  private List<ActionDef> actions(List<ActionDef> given, UnaryOperator<String> seal) {
    Set<Integer> claimed = new HashSet<>();
    Set<Integer> claimedSteps = new HashSet<>();
    for (ActionDef a : given) {
      if (a.id() > 0) {
        claimed.add(a.id());
      }
      a.steps().stream().filter(s -> s.id() > 0).forEach(s -> claimedSteps.add(s.id()));
    }
    List<ActionDef> out = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      ActionDef a = given.get(i);
      String at = "actions[" + i + "]";
      ActionDef saved;
      if (a.id() > 0) {
        saved = current.action(a.id()).orElse(null);
        if (saved == null) {
          v.add(at + ".id", "is not an action of this workflow: leave it out for a new action");
        }
      } else {
        saved =
            current.actions().stream()
                .filter(c -> c.name().equals(a.name()) && !claimed.contains(c.id()))
                .findFirst()
                .orElse(null);
      }
      if (saved != null) {
        claimed.add(saved.id());
      }
      int id = saved != null ? saved.id() : a.id() > 0 ? a.id() : nextAction++;
      List<Step> steps = new ArrayList<>();
      for (int j = 0; j < a.steps().size(); j++) {
        Step s = a.steps().get(j);
        String stepAt = at + ".steps[" + j + "]";
        Step savedStep;
        if (s.id() > 0) {
          savedStep = savedStep(s.id());
          if (savedStep == null) {
            v.add(stepAt + ".id", "is not a step of this workflow: leave it out for a new step");
          }
        } else {
          // The step at the same place of the same action, if it is of the same type.
          savedStep = saved == null || j >= saved.steps().size() ? null : saved.steps().get(j);
          if (savedStep != null
              && (savedStep.getClass() != s.getClass() || claimedSteps.contains(savedStep.id()))) {
            savedStep = null;
          }
        }
        if (savedStep != null) {
          claimedSteps.add(savedStep.id());
        }
        int stepId = savedStep != null ? savedStep.id() : s.id() > 0 ? s.id() : nextStep++;
        Step step = s.withId(stepId);
        if (step instanceof Step.ApiCall call) {
          step = headers(stepAt, call, savedStep instanceof Step.ApiCall c ? c : null, seal);
        }
        steps.add(step);
      }
      out.add(a.with(id, steps));
    }
    return out;
  }

  private Step savedStep(int id) {
    for (ActionDef a : current.actions()) {
      for (Step s : a.steps()) {
        if (s.id() == id) {
          return s;
        }
      }
    }
    return null;
  }

  /**
   * New values sealed; a value given as {@code [redacted]} keeps the saved one, unless the step
   * would now send it to another origin (someone who may edit the workflow may not read its
   * secrets, so they cannot redirect one elsewhere either).
   */
  private Step.ApiCall headers(
      String at, Step.ApiCall given, Step.ApiCall saved, UnaryOperator<String> seal) {
    Map<String, String> out = new LinkedHashMap<>();
    given
        .headers()
        .forEach(
            (name, value) -> {
              if (!value.equals(REDACTED)) {
                out.put(name, seal.apply(value));
                return;
              }
              String kept = saved == null ? null : savedHeader(saved, name);
              if (kept == null) {
                v.add(
                    at + ".headers." + name,
                    "is " + REDACTED + ", but this step has no saved value of it: give its value");
              } else if (!sameOrigin(saved.url(), given.url())) {
                v.add(
                    at + ".headers." + name,
                    "is "
                        + REDACTED
                        + ", but the URL now goes to another host: give its value again");
              } else {
                out.put(name, kept);
              }
            });
    return new Step.ApiCall(given.id(), given.url(), given.method(), out);
  }

  private static String savedHeader(Step.ApiCall saved, String name) {
    String exact = saved.headers().get(name);
    if (exact != null) {
      return exact;
    }
    return saved.headers().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  /** Same scheme, host and port; a URL that does not parse was refused already. */
  static boolean sameOrigin(String a, String b) {
    if (a == null || b == null) {
      return true;
    }
    try {
      URI x = new URI(a);
      URI y = new URI(b);
      return Objects.equals(lower(x.getScheme()), lower(y.getScheme()))
          && Objects.equals(lower(x.getHost()), lower(y.getHost()))
          && port(x) == port(y);
    } catch (URISyntaxException e) {
      return true;
    }
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** A Unique ID field that two tasks already share the value of cannot become one. */
  private void uniqueField(WorkflowJson.Definition d) {
    String id = uniqueFieldId(d);
    if (id == null || id.equals(current.uniqueFieldId())) {
      return;
    }
    List<Long> sharing = store.tasksSharing(current.id(), id);
    if (!sharing.isEmpty()) {
      v.add(
          "unique_field",
          "cannot be "
              + d.uniqueField()
              + ": tasks "
              + sharing.get(0)
              + " and "
              + sharing.get(1)
              + " have the same value");
    }
  }

  static String uniqueFieldId(WorkflowJson.Definition d) {
    if (d.uniqueField() == null) {
      return null;
    }
    return d.fields().stream()
        .filter(f -> f.name().equals(d.uniqueField()))
        .map(FieldDef::id)
        .findFirst()
        .orElse(null);
  }

  /** The name itself, or the name with a number, whichever no version has used as an id. */
  private static String fresh(String name, Set<String> used) {
    String id = name;
    for (int n = 2; used.contains(id); n++) {
      id = name + " (" + n + ")";
    }
    used.add(id);
    return id;
  }
}
