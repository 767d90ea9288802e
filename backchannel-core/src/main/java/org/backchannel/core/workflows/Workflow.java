package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A process: typed fields, stages (the first is where tasks start), and actions, as one saved
 * version of its definition. {@code appId} is the app whose secret signs the workflow's API calls.
 * {@code uniqueField} names the field no two tasks may share, or is null. Each save makes a new
 * {@code version} (from 1), saved by {@code updatedBy} (null when not known) at {@code updatedAt}.
 *
 * <p>The store keeps task values by field id and a task's stage by stage id; {@link #named} shows a
 * stored task by this version's names, and {@link #valuesById} and {@link #stageId} go back.
 */
public record Workflow(
    long id,
    long workspaceId,
    long appId,
    String name,
    List<FieldDef> fields,
    String uniqueField,
    List<Stage> stages,
    List<ActionDef> actions,
    int version,
    Instant createdAt,
    Long updatedBy,
    Instant updatedAt) {
  public Workflow {
    fields = List.copyOf(fields);
    stages = List.copyOf(stages);
    actions = List.copyOf(actions);
  }

  public Optional<FieldDef> field(String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public Optional<FieldDef> fieldById(String fieldId) {
    return fields.stream().filter(f -> f.id().equals(fieldId)).findFirst();
  }

  public Optional<Stage> stage(String name) {
    return stages.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<Stage> stageById(String stageId) {
    return stages.stream().filter(s -> s.id().equals(stageId)).findFirst();
  }

  public Optional<ActionDef> action(int id) {
    return actions.stream().filter(a -> a.id() == id).findFirst();
  }

  /** The ids of the end stages, as tasks hold them. */
  public List<String> endStageIds() {
    return stages.stream().filter(Stage::end).map(Stage::id).toList();
  }

  /** The id of the unique field, or null. */
  String uniqueFieldId() {
    return uniqueField == null ? null : field(uniqueField).map(FieldDef::id).orElse(null);
  }

  /** Values kept by field id, by this version's field names, in field order. */
  public Map<String, JsonNode> valuesByName(Map<String, JsonNode> byId) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (FieldDef f : fields) {
      JsonNode value = byId.get(f.id());
      if (value != null) {
        out.put(f.name(), value);
      }
    }
    return out;
  }

  /** Values by this version's field names, by field id. */
  public Map<String, JsonNode> valuesById(Map<String, JsonNode> byName) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (FieldDef f : fields) {
      JsonNode value = byName.get(f.name());
      if (value != null) {
        out.put(f.id(), value);
      }
    }
    return out;
  }

  /** A stage id by this version's name; an id this version does not have stays as it is. */
  public String stageName(String stageId) {
    return stageById(stageId).map(Stage::name).orElse(stageId);
  }

  /** A stage name of this version as its id; a name this version does not have stays as it is. */
  public String stageId(String stageName) {
    return stage(stageName).map(Stage::id).orElse(stageName);
  }

  /** A task as stored (values by field id, stage by id) as this version names it. */
  public Task named(Task stored) {
    return new Task(
        stored.id(),
        stored.workflowId(),
        valuesByName(stored.values()),
        stageName(stored.stage()),
        stored.createdAt(),
        stored.updatedAt());
  }
}
