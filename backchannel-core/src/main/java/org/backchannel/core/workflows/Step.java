package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of an action, run in order; a failing step aborts the action. {@code id} is given when
 * the step is first saved and kept while it is edited or moved, so that an edit can keep an API
 * Call's sealed header values without re-entering them; 0 only in a definition not yet resolved.
 */
public sealed interface Step {
  int id();

  /** The step's type as the API names it. */
  default String type() {
    return switch (this) {
      case SetFields s -> "set_fields";
      case MoveToStage m -> "move_to_stage";
      case Assign a -> "assign";
      case ApiCall c -> "api_call";
    };
  }

  /** The same step under another id. */
  default Step withId(int newId) {
    return switch (this) {
      case SetFields s -> new SetFields(newId, s.values());
      case MoveToStage m -> new MoveToStage(newId, m.stage());
      case Assign a -> new Assign(newId, a.field(), a.userId());
      case ApiCall c -> new ApiCall(newId, c.url(), c.method(), c.headers());
    };
  }

  /** Sets fields to fixed values (already checked against their types). */
  record SetFields(int id, Map<String, JsonNode> values) implements Step {
    public SetFields {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }

  /** Moves the task to a stage. */
  record MoveToStage(int id, String stage) implements Step {}

  /** Sets a person field to a user, or to the person performing the action when null. */
  record Assign(int id, String field, Long userId) implements Step {}

  /**
   * Calls the team's own system. Header values are secrets: once the workflow is stored they are
   * held sealed with the {@link org.backchannel.core.security.SecretBox} and opened only to send.
   */
  record ApiCall(int id, String url, String method, Map<String, String> headers) implements Step {
    public ApiCall {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }
}
