package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One step of an action, run in order; a failing step aborts the action. */
public sealed interface Step {
  /** The step's type as the API names it. */
  default String type() {
    return switch (this) {
      case SetFields s -> "set_fields";
      case MoveToStage m -> "move_to_stage";
      case Assign a -> "assign";
      case ApiCall c -> "api_call";
    };
  }

  /** Sets fields to fixed values (already checked against their types). */
  record SetFields(Map<String, JsonNode> values) implements Step {
    public SetFields {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }

  /** Moves the task to a stage. */
  record MoveToStage(String stage) implements Step {}

  /** Sets a person field to a user, or to the person performing the action when null. */
  record Assign(String field, Long userId) implements Step {}

  /**
   * Calls the team's own system. Header values are secrets: once the workflow is stored they are
   * held sealed with the {@link org.backchannel.core.security.SecretBox} and opened only to send.
   */
  record ApiCall(String url, String method, Map<String, String> headers) implements Step {
    public ApiCall {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }
}
