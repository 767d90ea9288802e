package org.backchannel.core.workflows;

import java.util.List;
import java.util.Map;

/**
 * Which tasks to list: every field in {@code keys} (by field id) equal to its value's {@link
 * TaskValues#key} (or not set, for {@link #NOT_SET}), the stage id equal to {@code stage} when set,
 * and the stage id none of {@code excludedStages}.
 */
public record TaskFilter(Map<String, String> keys, String stage, List<String> excludedStages) {
  /**
   * The key that asks for tasks where the field is not set. It is the key of empty text, which the
   * web form never keeps (an empty input leaves a field unset), so such a value counts as not set.
   */
  public static final String NOT_SET = "";

  public TaskFilter {
    keys = Map.copyOf(keys);
    excludedStages = List.copyOf(excludedStages);
  }
}
