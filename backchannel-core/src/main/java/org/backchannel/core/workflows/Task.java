package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A record moving through a workflow: its field values (only the set ones) and its stage. */
public record Task(
    long id,
    long workflowId,
    Map<String, JsonNode> values,
    String stage,
    Instant createdAt,
    Instant updatedAt) {
  public Task {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
