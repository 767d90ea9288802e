package org.backchannel.core.workflows;

import java.util.List;
import java.util.Map;

/**
 * Which tasks to list: every field in {@code keys} equal to its value's {@link TaskValues#key}, the
 * stage equal to {@code stage} when set, and the stage none of {@code excludedStages}.
 */
public record TaskFilter(Map<String, String> keys, String stage, List<String> excludedStages) {
  public TaskFilter {
    keys = Map.copyOf(keys);
    excludedStages = List.copyOf(excludedStages);
  }
}
