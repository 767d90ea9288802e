package org.backchannel.core.workflows;

import java.util.List;

/** A field of a workflow's tasks. {@code choices} is empty unless the type is choice. */
public record FieldDef(String name, FieldType type, boolean required, List<String> choices) {
  public FieldDef {
    choices = List.copyOf(choices);
  }
}
