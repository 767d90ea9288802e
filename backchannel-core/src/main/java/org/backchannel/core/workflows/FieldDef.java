package org.backchannel.core.workflows;

import java.util.List;

/**
 * A field of a workflow's tasks. {@code id} never changes once the field is saved, whatever its
 * name becomes: task values are kept under it, so they survive a rename. It is the name the field
 * was first saved with (made unique within the workflow); null only in a definition not yet
 * resolved. {@code choices} is empty unless the type is choice.
 */
public record FieldDef(
    String id, String name, FieldType type, boolean required, List<String> choices) {
  public FieldDef {
    choices = List.copyOf(choices);
  }

  FieldDef withId(String newId) {
    return new FieldDef(newId, name, type, required, choices);
  }
}
