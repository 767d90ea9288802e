package org.backchannel.core.workflows;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A process: typed fields, stages (the first is where tasks start), and actions. {@code appId} is
 * the app whose secret signs the workflow's API calls. {@code uniqueField} names the field no two
 * tasks may share, or is null.
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
    Instant createdAt) {
  public Workflow {
    fields = List.copyOf(fields);
    stages = List.copyOf(stages);
    actions = List.copyOf(actions);
  }

  public Optional<FieldDef> field(String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public Optional<Stage> stage(String name) {
    return stages.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<ActionDef> action(int id) {
    return actions.stream().filter(a -> a.id() == id).findFirst();
  }

  public List<String> endStages() {
    return stages.stream().filter(Stage::end).map(Stage::name).toList();
  }
}
