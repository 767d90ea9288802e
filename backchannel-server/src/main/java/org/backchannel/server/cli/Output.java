package org.backchannel.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.backchannel.core.Json;

/** How an answer is printed: JSON as it came (pretty), or a table for people. */
enum Output {
  json,
  table;

  String render(JsonNode answer) {
    if (this == json) {
      try {
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    JsonNode rows =
        answer.has("items") && answer.get("items").isArray() ? answer.get("items") : answer;
    if (rows.isArray()) {
      return rows(rows);
    }
    if (rows.isObject()) {
      List<List<String>> lines = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : rows.properties()) {
        lines.add(List.of(e.getKey(), cell(e.getValue())));
      }
      return grid(lines);
    }
    return cell(rows);
  }

  private static String rows(JsonNode array) {
    Set<String> columns = new LinkedHashSet<>();
    array.forEach(row -> row.fieldNames().forEachRemaining(columns::add));
    List<List<String>> lines = new ArrayList<>();
    lines.add(List.copyOf(columns));
    for (JsonNode row : array) {
      lines.add(columns.stream().map(c -> cell(row.get(c))).toList());
    }
    return grid(lines);
  }

  private static String cell(JsonNode value) {
    if (value == null || value.isNull()) {
      return "";
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  private static String grid(List<List<String>> lines) {
    int width = lines.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[width];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        String v = line.get(i);
        sb.append(i == line.size() - 1 ? v : v + " ".repeat(widths[i] - v.length() + 2));
      }
      sb.append('\n');
    }
    return sb.toString().stripTrailing();
  }
}
