package org.backchannel.core.threads;

import java.util.List;

/** What an app says about a thread: replaced part by part as later messages update it. */
public record ThreadData(
    String title,
    String body,
    String externalUrl,
    Status status,
    List<Field> fields,
    List<Action> actions) {
  public ThreadData {
    fields = fields == null ? List.of() : List.copyOf(fields);
    actions = actions == null ? List.of() : List.copyOf(actions);
  }
}
