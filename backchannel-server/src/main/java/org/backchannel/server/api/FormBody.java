package org.backchannel.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.Json;
import org.backchannel.core.Problem;

/**
 * Reads a form-encoded body into the same JSON a JSON body gives, with the bracket convention apps'
 * HTTP libraries use: {@code thread[status][color]=green}, {@code thread[fields][][label]=x}.
 * Within an array of objects, a key seen again starts the next object.
 */
final class FormBody {
  private FormBody() {}

  /** Reads the pairs in the order sent: that order decides where array elements begin. */
  static ObjectNode toJson(String body) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      put(root, key, parse(key), value);
    }
    return root;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw Problem.Invalid.of("body", "is not valid form encoding");
    }
  }

  private static List<String> parse(String key) {
    List<String> parts = new ArrayList<>();
    int open = key.indexOf('[');
    if (open < 0) {
      parts.add(key);
      return parts;
    }
    parts.add(key.substring(0, open));
    int i = open;
    while (i < key.length()) {
      if (parts.size() >= Json.MAX_DEPTH) {
        // The same limit as a JSON body's nesting; the name is clipped, as it may be huge.
        throw Problem.Invalid.of(
            Api.clip(key), "is nested deeper than " + Json.MAX_DEPTH + " levels");
      }
      if (key.charAt(i) != '[') {
        throw Problem.Invalid.of(key, "is not a valid form field name");
      }
      int close = key.indexOf(']', i);
      if (close < 0) {
        throw Problem.Invalid.of(key, "is not a valid form field name");
      }
      parts.add(key.substring(i + 1, close));
      i = close + 1;
    }
    return parts;
  }

  private static boolean hasPath(JsonNode node, List<String> path) {
    for (String part : path) {
      if (part.isEmpty() || node == null || !node.isObject() || !node.has(part)) {
        return false;
      }
      node = node.get(part);
    }
    return true;
  }

  private static void put(ObjectNode root, String key, List<String> path, String value) {
    JsonNode node = root;
    for (int i = 0; i < path.size(); i++) {
      String part = path.get(i);
      boolean last = i == path.size() - 1;
      String next = last ? null : path.get(i + 1);
      if (node instanceof ObjectNode obj) {
        if (last) {
          obj.put(part, value);
        } else if (next.isEmpty()) {
          node = obj.has(part) && obj.get(part).isArray() ? obj.get(part) : obj.putArray(part);
        } else {
          node = obj.has(part) && obj.get(part).isObject() ? obj.get(part) : obj.putObject(part);
        }
      } else if (node instanceof ArrayNode arr) {
        if (last) {
          arr.add(value);
        } else {
          // "[]" followed by keys: fill the last object unless it already has that key path.
          JsonNode lastElement = arr.isEmpty() ? null : arr.get(arr.size() - 1);
          if (lastElement instanceof ObjectNode o
              && !hasPath(o, path.subList(i + 1, path.size()))) {
            node = o;
          } else {
            node = arr.addObject();
          }
        }
      } else {
        throw Problem.Invalid.of(key, "mixes a value and nested fields");
      }
    }
  }
}
