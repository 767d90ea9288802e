package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.backchannel.core.Json;
import org.backchannel.core.Validation;
import org.backchannel.core.workspace.User;

/**
 * A workflow's definition as JSON: what admins send, what the store keeps (with header values
 * sealed) and what the API shows (with header values redacted) all have this one shape.
 */
public final class WorkflowJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  /** Headers Backchannel sets itself, which a step may not replace. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "content-type",
          "content-length",
          "host",
          "transfer-encoding",
          "connection",
          "webhook-id",
          "webhook-timestamp",
          "webhook-signature");

  /** The task JSON names the stage with this key, so no field may be called so. */
  public static final String STAGE = "Stage";

  private WorkflowJson() {}

  /**
   * The parts of a definition; {@link #parse} fills them or collects why it cannot. Ids left out
   * are null (fields, stages) or 0 (actions, steps) until the definition is resolved.
   */
  public record Definition(
      List<FieldDef> fields, String uniqueField, List<Stage> stages, List<ActionDef> actions) {
    /**
     * The ids of a new workflow, whatever was given: fields and stages by their names, actions and
     * steps numbered from 1 in order.
     */
    Definition withNewIds() {
      return ids(false);
    }

    /**
     * Ids filled where left out, as a new workflow's (a definition stored before ids were kept).
     */
    Definition withMissingIds() {
      return ids(true);
    }

    private Definition ids(boolean keepGiven) {
      List<FieldDef> f =
          fields.stream().map(x -> keepGiven && x.id() != null ? x : x.withId(x.name())).toList();
      List<Stage> s =
          stages.stream().map(x -> keepGiven && x.id() != null ? x : x.withId(x.name())).toList();
      int nextAction = 1;
      int nextStep = 1;
      for (ActionDef a : actions) {
        nextAction = Math.max(nextAction, keepGiven ? a.id() + 1 : 1);
        for (Step step : a.steps()) {
          nextStep = Math.max(nextStep, keepGiven ? step.id() + 1 : 1);
        }
      }
      List<ActionDef> out = new ArrayList<>();
      for (ActionDef a : actions) {
        List<Step> steps = new ArrayList<>();
        for (Step step : a.steps()) {
          steps.add(keepGiven && step.id() > 0 ? step : step.withId(nextStep++));
        }
        out.add(a.with(keepGiven && a.id() > 0 ? a.id() : nextAction++, steps));
      }
      return new Definition(f, uniqueField, s, out);
    }
  }

  /** Reads {@code fields}, {@code unique_field}, {@code stages} and {@code actions}. */
  public static Definition parse(JsonNode body, Validation v) {
    List<FieldDef> fields = fields(body.get("fields"), v);
    List<Stage> stages = stages(body.get("stages"), v);
    String unique = optionalText(body, "unique_field", v);
    if (unique != null
        && fields.stream()
            .noneMatch(f -> f.name().equals(unique) && f.type() != FieldType.BOOLEAN)) {
      v.add("unique_field", "must name a field that is not a boolean");
    }
    List<ActionDef> actions = actions(body.get("actions"), fields, stages, v);
    return new Definition(fields, unique, stages, actions);
  }

  /** A stored definition; it was checked when it was stored. */
  public static Definition read(String json) {
    Validation v = new Validation();
    Definition d = parse(Json.read(json), v);
    if (!v.ok()) {
      throw new IllegalStateException("a stored workflow definition does not parse");
    }
    return d.withMissingIds();
  }

  /**
   * A workflow as people and the API see it: its definition, with every API Call header value
   * {@code [redacted]}, and what version of it this is.
   */
  public static ObjectNode shown(Workflow w) {
    ObjectNode node =
        F.objectNode()
            .put("id", w.id())
            .put("app_id", w.appId())
            .put("name", w.name())
            .put("version", w.version());
    // Header values are secrets: their names show, their values never do.
    node.setAll(write(w, value -> Revision.REDACTED));
    return node.put("created_at", time(w.createdAt()))
        .put("updated_by", w.updatedBy())
        .put("updated_at", time(w.updatedAt()));
  }

  private static String time(java.time.Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** The definition as JSON, each API Call header value passed through {@code headerValue}. */
  public static ObjectNode write(Workflow w, UnaryOperator<String> headerValue) {
    ObjectNode node = F.objectNode();
    var fields = node.putArray("fields");
    for (FieldDef f : w.fields()) {
      ObjectNode field =
          fields.addObject().put("id", f.id()).put("name", f.name()).put("type", f.type().label());
      field.put("required", f.required());
      if (f.type() == FieldType.CHOICE) {
        f.choices().forEach(field.putArray("choices")::add);
      }
    }
    node.put("unique_field", w.uniqueField());
    var stages = node.putArray("stages");
    w.stages()
        .forEach(
            s -> stages.addObject().put("id", s.id()).put("name", s.name()).put("end", s.end()));
    var actions = node.putArray("actions");
    for (ActionDef a : w.actions()) {
      ObjectNode action = actions.addObject().put("id", a.id()).put("name", a.name());
      var roles = action.putArray("roles");
      a.roles().stream().sorted().forEach(r -> roles.add(r.name().toLowerCase(Locale.ROOT)));
      a.userIds().forEach(action.putArray("users")::add);
      a.stages().forEach(action.putArray("stages")::add);
      a.requirements().forEach(action.putArray("requirements")::add);
      var steps = action.putArray("steps");
      a.steps().forEach(s -> steps.add(step(s, headerValue)));
    }
    return node;
  }

  private static ObjectNode step(Step step, UnaryOperator<String> headerValue) {
    ObjectNode node = F.objectNode().put("id", step.id()).put("type", step.type());
    switch (step) {
      case Step.SetFields s -> node.putObject("values").setAll(s.values());
      case Step.MoveToStage m -> node.put("stage", m.stage());
      case Step.Assign a -> node.put("field", a.field()).put("user_id", a.userId());
      case Step.ApiCall c -> {
        node.put("url", c.url()).put("method", c.method());
        ObjectNode headers = node.putObject("headers");
        c.headers().forEach((name, value) -> headers.put(name, headerValue.apply(value)));
      }
    }
    return node;
  }

  private static List<FieldDef> fields(JsonNode node, Validation v) {
    List<FieldDef> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (Located located : objects(node, "fields", v)) {
      String at = located.at();
      JsonNode f = located.node();
      String id = textId(f, at, ids, v);
      String name = name(f, at, v);
      if (name != null && (name.equals(STAGE) || !seen.add(name))) {
        v.add(at + ".name", name.equals(STAGE) ? "is reserved for the stage" : "is taken twice");
      }
      FieldType type = fieldType(f.get("type"), at + ".type", v);
      boolean required = flag(f, "required", at, v);
      List<String> choices = texts(f.get("choices"), at + ".choices", v);
      if (type == FieldType.CHOICE && choices.isEmpty()) {
        v.add(at + ".choices", "are required for a choice field");
      } else if (type != FieldType.CHOICE && !choices.isEmpty()) {
        v.add(at + ".choices", "are only for choice fields");
      }
      if (name != null && type != null) {
        out.add(new FieldDef(id, name, type, required, choices));
      }
    }
    return out;
  }

  private static List<Stage> stages(JsonNode node, Validation v) {
    List<Stage> out = new ArrayList<>();
    if (node != null && node.isArray() && node.isEmpty()) {
      v.add("stages", "must name at least one stage: tasks start in the first");
    }
    Set<String> seen = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (Located located : objects(node, "stages", v)) {
      String at = located.at();
      JsonNode s = located.node();
      String id = textId(s, at, ids, v);
      String name = name(s, at, v);
      if (name != null && !seen.add(name)) {
        v.add(at + ".name", "is taken twice");
      }
      boolean end = flag(s, "end", at, v);
      if (name != null) {
        out.add(new Stage(id, name, end));
      }
    }
    return out;
  }

  private static List<ActionDef> actions(
      JsonNode node, List<FieldDef> fields, List<Stage> stages, Validation v) {
    List<ActionDef> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    Set<String> fieldNames = new HashSet<>();
    fields.forEach(f -> fieldNames.add(f.name()));
    Set<String> stageNames = new HashSet<>();
    stages.forEach(s -> stageNames.add(s.name()));
    Set<Integer> actionIds = new HashSet<>();
    Set<Integer> stepIds = new HashSet<>();
    for (Located located : objects(node, "actions", v)) {
      String at = located.at();
      JsonNode a = located.node();
      int id = numberId(a, at, actionIds, v);
      String name = name(a, at, v);
      Set<User.Role> roles = EnumSet.noneOf(User.Role.class);
      for (String role : texts(a.get("roles"), at + ".roles", v)) {
        switch (role) {
          case "admin" -> roles.add(User.Role.ADMIN);
          case "member" -> roles.add(User.Role.MEMBER);
          default -> v.add(at + ".roles", "must each be admin or member");
        }
      }
      List<Long> users = new ArrayList<>();
      JsonNode u = a.get("users");
      if (u != null && !u.isNull()) {
        if (!u.isArray() || !allIntegral(u)) {
          v.add(at + ".users", "must be an array of user ids");
        } else {
          u.forEach(user -> users.add(user.asLong()));
        }
      }
      List<String> inStages = texts(a.get("stages"), at + ".stages", v);
      inStages.stream()
          .filter(s -> !stageNames.contains(s))
          .forEach(s -> v.add(at + ".stages", "'" + s + "' is not a stage"));
      List<String> requirements = texts(a.get("requirements"), at + ".requirements", v);
      requirements.stream()
          .filter(f -> !fieldNames.contains(f))
          .forEach(f -> v.add(at + ".requirements", "'" + f + "' is not a field"));
      List<Step> steps = new ArrayList<>();
      for (Located s : objects(a.get("steps"), at + ".steps", v)) {
        int stepId = numberId(s.node(), s.at(), stepIds, v);
        Step step = step(s.node(), s.at(), fields, stageNames, v);
        if (step != null) {
          steps.add(step.withId(stepId));
        }
      }
      if (name != null) {
        out.add(new ActionDef(id, name, roles, users, inStages, requirements, steps));
      }
    }
    return out;
  }

  private static Step step(
      JsonNode s, String at, List<FieldDef> fields, Set<String> stageNames, Validation v) {
    String type = optionalText(s, "type", at, v);
    if (type == null) {
      v.add(at + ".type", "is required: set_fields, move_to_stage, assign or api_call");
      return null;
    }
    switch (type) {
      case "set_fields" -> {
        JsonNode values = s.get("values");
        if (values == null || !values.isObject() || values.isEmpty()) {
          v.add(at + ".values", "must be an object of field names and values");
          return null;
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        values
            .properties()
            .forEach(
                e -> {
                  FieldDef f =
                      fields.stream()
                          .filter(x -> x.name().equals(e.getKey()))
                          .findFirst()
                          .orElse(null);
                  if (f == null) {
                    v.add(at + ".values." + e.getKey(), "is not a field");
                  } else if (e.getValue().isNull()) {
                    out.put(f.name(), e.getValue());
                  } else {
                    try {
                      out.put(f.name(), TaskValues.normalize(f, e.getValue(), null));
                    } catch (IllegalArgumentException x) {
                      v.add(at + ".values." + e.getKey(), x.getMessage());
                    }
                  }
                });
        return new Step.SetFields(0, out);
      }
      case "move_to_stage" -> {
        String stage = optionalText(s, "stage", at, v);
        if (stage == null || !stageNames.contains(stage)) {
          v.add(at + ".stage", "must name a stage of this workflow");
        }
        return new Step.MoveToStage(0, stage);
      }
      case "assign" -> {
        String field = optionalText(s, "field", at, v);
        if (fields.stream()
            .noneMatch(f -> f.name().equals(field) && f.type() == FieldType.PERSON)) {
          v.add(at + ".field", "must name a person field");
        }
        JsonNode user = s.get("user_id");
        if (user != null
            && !user.isNull()
            && (!user.isIntegralNumber() || !user.canConvertToLong())) {
          v.add(at + ".user_id", "must be a user id, or null for the person acting");
        }
        return new Step.Assign(0, field, user == null || user.isNull() ? null : user.asLong());
      }
      case "api_call" -> {
        String url = optionalText(s, "url", at, v);
        if (url == null) {
          v.add(at + ".url", "is required");
        } else {
          v.httpUrl(at + ".url", url);
        }
        String method = optionalText(s, "method", at, v);
        method = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
          v.add(at + ".method", "must be one of " + new java.util.TreeSet<>(METHODS));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = s.get("headers");
        if (h != null && !h.isNull()) {
          if (!h.isObject()) {
            v.add(at + ".headers", "must be an object of header names and values");
          } else {
            h.properties()
                .forEach(
                    e -> {
                      String name = e.getKey();
                      if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")
                          || RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                        v.add(at + ".headers", "'" + name + "' cannot be set by a step");
                      } else if (!e.getValue().isTextual()
                          || e.getValue().asText().chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                        v.add(at + ".headers." + name, "must be text on one line");
                      } else {
                        headers.put(name, e.getValue().asText());
                      }
                    });
          }
        }
        return new Step.ApiCall(0, url, method, headers);
      }
      default -> {
        v.add(at + ".type", "must be set_fields, move_to_stage, assign or api_call");
        return null;
      }
    }
  }

  /** An element of an array member, with its name in errors, such as {@code fields[2]}. */
  private record Located(int index, String at, JsonNode node) {}

  /** The objects of a required array member; anything else in it is reported. */
  private static List<Located> objects(JsonNode node, String field, Validation v) {
    List<Located> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      v.add(field, "is required");
    } else if (!node.isArray()) {
      v.add(field, "must be an array");
    } else {
      for (int i = 0; i < node.size(); i++) {
        String at = field + "[" + i + "]";
        if (node.get(i).isObject()) {
          out.add(new Located(i, at, node.get(i)));
        } else {
          v.add(at, "must be an object");
        }
      }
    }
    return out;
  }

  /** A field's or a stage's optional id: text, given once. */
  private static String textId(JsonNode node, String at, Set<String> seen, Validation v) {
    String id = optionalText(node, "id", at, v);
    if (id != null && (id.isBlank() || id.length() > 200)) {
      v.add(at + ".id", "must be the id of a saved one, or left out for a new one");
      return null;
    }
    if (id != null && !seen.add(id)) {
      v.add(at + ".id", "is taken twice");
    }
    return id;
  }

  /** An action's or a step's optional id: a whole number from 1, given once; 0 when left out. */
  private static int numberId(JsonNode node, String at, Set<Integer> seen, Validation v) {
    JsonNode id = node.get("id");
    if (id == null || id.isNull()) {
      return 0;
    }
    if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 1) {
      v.add(at + ".id", "must be the id of a saved one (a whole number from 1), or left out");
      return 0;
    }
    if (!seen.add(id.asInt())) {
      v.add(at + ".id", "is taken twice");
    }
    return id.asInt();
  }

  private static boolean allIntegral(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        return false;
      }
    }
    return true;
  }

  private static String name(JsonNode node, String at, Validation v) {
    String name = optionalText(node, "name", at, v);
    if (name == null || name.isBlank()) {
      v.add(at + ".name", "is required");
      return null;
    }
    v.maxLength(at + ".name", name, 100);
    return name.strip();
  }

  private static boolean flag(JsonNode node, String field, String at, Validation v) {
    JsonNode f = node.get(field);
    if (f == null || f.isNull()) {
      return false;
    }
    if (!f.isBoolean()) {
      v.add(at + "." + field, "must be true or false");
      return false;
    }
    return f.asBoolean();
  }

  private static FieldType fieldType(JsonNode node, String at, Validation v) {
    if (node != null && node.isTextual()) {
      for (FieldType t : FieldType.values()) {
        if (t.label().equals(node.asText())) {
          return t;
        }
      }
    }
    v.add(at, "must be one of text, number, boolean, date, person, choice");
    return null;
  }

  private static List<String> texts(JsonNode node, String at, Validation v) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      v.add(at, "must be an array of strings");
      return out;
    }
    for (JsonNode n : node) {
      if (!n.isTextual()) {
        v.add(at, "must be an array of strings");
        return List.of();
      }
      out.add(n.asText());
    }
    return out;
  }

  private static String optionalText(JsonNode node, String field, Validation v) {
    return optionalText(node, field, null, v);
  }

  private static String optionalText(JsonNode node, String field, String at, Validation v) {
    JsonNode f = node.get(field);
    if (f == null || f.isNull()) {
      return null;
    }
    if (!f.isTextual()) {
      v.add(at == null ? field : at + "." + field, "must be a string");
      return null;
    }
    return f.asText();
  }
}
