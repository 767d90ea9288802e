package org.backchannel.core.threads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.backchannel.core.Json;
import org.backchannel.core.Validation;

/**
 * Reads and checks a {@code thread} object of the Flowdock contract, and writes {@link ThreadData}
 * back in that same shape: the shape apps post is the shape the store keeps.
 */
public final class ThreadJson {
  static final int MAX_TITLE = 255;
  static final int MAX_BODY = 64 * 1024;
  static final int MAX_FIELDS = 50;
  static final int MAX_ACTIONS = 20;
  static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  private ThreadJson() {}

  /** Parses stored thread JSON (already validated when it was posted). */
  public static ThreadData read(String json) {
    Validation v = new Validation();
    ThreadData data = parse((ObjectNode) Json.read(json), "thread", v);
    v.throwIfInvalid();
    return data;
  }

  /** Writes thread data in the contract's shape. */
  public static String write(ThreadData data) {
    return Json.write(toJson(data));
  }

  static ObjectNode toJson(ThreadData data) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    putIfPresent(node, "title", data.title());
    putIfPresent(node, "body", data.body());
    putIfPresent(node, "external_url", data.externalUrl());
    if (data.status() != null) {
      node.putObject("status")
          .put("color", data.status().color())
          .put("value", data.status().value());
    }
    ArrayNode fields = node.putArray("fields");
    data.fields().forEach(f -> fields.addObject().put("label", f.label()).put("value", f.value()));
    ArrayNode actions = node.putArray("actions");
    data.actions().forEach(a -> actions.add(a.json()));
    return node;
  }

  /**
   * Checks a thread object, adding every problem to {@code v} under {@code prefix}.field names;
   * returns what could be read.
   */
  static ThreadData parse(ObjectNode node, String prefix, Validation v) {
    String title = text(node, "title", prefix, v);
    v.maxLength(prefix + ".title", title, MAX_TITLE);
    String body = text(node, "body", prefix, v);
    v.maxLength(prefix + ".body", body, MAX_BODY);
    String url = text(node, "external_url", prefix, v);
    v.httpUrl(prefix + ".external_url", url);
    return new ThreadData(
        title,
        body,
        url,
        status(node.get("status"), prefix + ".status", v),
        fields(node.get("fields"), prefix + ".fields", v),
        actions(node.get("actions"), prefix + ".actions", v));
  }

  private static Status status(JsonNode node, String name, Validation v) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      v.add(name, "must be an object with color and value");
      return null;
    }
    String color = text(node, "color", name, v);
    String value = text(node, "value", name, v);
    if (v.required(name + ".color", color) && !Status.COLORS.contains(color)) {
      v.add(name + ".color", "must be one of " + String.join(", ", sorted(Status.COLORS)));
    }
    if (v.required(name + ".value", value)) {
      v.maxLength(name + ".value", value, 64);
    }
    return new Status(color, value);
  }

  private static List<Field> fields(JsonNode node, String name, Validation v) {
    List<Field> fields = new ArrayList<>();
    if (node == null || node.isNull()) {
      return fields;
    }
    if (!node.isArray()) {
      v.add(name, "must be an array of {label, value}");
      return fields;
    }
    if (node.size() > MAX_FIELDS) {
      v.add(name, "must have at most " + MAX_FIELDS + " entries");
    }
    for (int i = 0; i < node.size(); i++) {
      String at = name + "[" + i + "]";
      JsonNode f = node.get(i);
      if (!f.isObject()) {
        v.add(at, "must be an object with label and value");
        continue;
      }
      String label = text(f, "label", at, v);
      String value = text(f, "value", at, v);
      v.required(at + ".label", label);
      v.maxLength(at + ".label", label, 255);
      if (value == null) {
        v.add(at + ".value", "is required");
      }
      v.maxLength(at + ".value", value, 4096);
      fields.add(new Field(label, value));
    }
    return fields;
  }

  private static List<Action> actions(JsonNode node, String name, Validation v) {
    List<Action> actions = new ArrayList<>();
    if (node == null || node.isNull()) {
      return actions;
    }
    if (!node.isArray()) {
      v.add(name, "must be an array of UpdateAction and ViewAction objects");
      return actions;
    }
    if (node.size() > MAX_ACTIONS) {
      v.add(name, "must have at most " + MAX_ACTIONS + " entries");
    }
    for (int i = 0; i < node.size(); i++) {
      String at = name + "[" + i + "]";
      if (!node.get(i).isObject()) {
        v.add(at, "must be an object");
        continue;
      }
      Action action = action((ObjectNode) node.get(i), at, v);
      if (action != null) {
        actions.add(action);
      }
    }
    return actions;
  }

  private static Action action(ObjectNode json, String at, Validation v) {
    String type = text(json, "@type", at, v);
    String name = text(json, "name", at, v);
    if (v.required(at + ".name", name)) {
      v.maxLength(at + ".name", name, 100);
    }
    String description = text(json, "description", at, v);
    v.maxLength(at + ".description", description, 1000);
    if ("ViewAction".equals(type)) {
      String url = text(json, "url", at, v);
      if (v.required(at + ".url", url)) {
        v.httpUrl(at + ".url", url);
      }
      v.httpUrl(at + ".image", text(json, "image", at, v));
      return new Action.View(name, url, json.deepCopy());
    }
    if ("UpdateAction".equals(type)) {
      JsonNode target = json.get("target");
      if (target == null || !target.isObject()) {
        v.add(at + ".target", "is required: an EntryPoint with urlTemplate and httpMethod");
        return null;
      }
      String t = at + ".target";
      String targetType = text(target, "@type", t, v);
      if (targetType != null && !"EntryPoint".equals(targetType)) {
        v.add(t + ".@type", "must be EntryPoint");
      }
      String url = text(target, "urlTemplate", t, v);
      if (v.required(t + ".urlTemplate", url)) {
        v.httpUrl(t + ".urlTemplate", url);
      }
      String method = text(target, "httpMethod", t, v);
      if (method != null && !METHODS.contains(method.toUpperCase(Locale.ROOT))) {
        v.add(t + ".httpMethod", "must be one of DELETE, GET, PATCH, POST, PUT");
      }
      String effective = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
      return new Action.Update(name, url, effective, json.deepCopy());
    }
    v.add(at + ".@type", "must be UpdateAction or ViewAction");
    return null;
  }

  /** A string member, or null when absent; adds a reason when present but not a string. */
  public static String text(JsonNode node, String field, String prefix, Validation v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      v.add(prefix.isEmpty() ? field : prefix + "." + field, "must be a string");
      return null;
    }
    return value.asText();
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
