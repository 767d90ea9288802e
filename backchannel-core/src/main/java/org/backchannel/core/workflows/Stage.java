package org.backchannel.core.workflows;

/**
 * A stage tasks move through; a task in an end stage is no longer active. Tasks hold their stage by
 * {@code id}, which, like a field's, is the name it was first saved with and never changes.
 */
public record Stage(String id, String name, boolean end) {
  Stage withId(String newId) {
    return new Stage(newId, name, end);
  }
}
