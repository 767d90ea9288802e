package org.backchannel.core.workflows;

import java.util.Locale;

/** What a task field holds; decides how its values are checked and compared. */
public enum FieldType {
  TEXT,
  NUMBER,
  BOOLEAN,
  /** A calendar date, {@code YYYY-MM-DD}. */
  DATE,
  /** A person of the workspace, held as their email. */
  PERSON,
  /** One of the field's choices. */
  CHOICE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
