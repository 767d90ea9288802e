package org.backchannel.core.workflows;

import java.time.Instant;
import java.util.List;

/**
 * One run of an action on a task, by {@code performedBy}, on the workflow's version {@code
 * workflowVersion}: the definition it started with, whatever is saved while it runs. When it
 * failed, {@code failedStep} (from 0) and {@code reason} say where and why; {@code history} has
 * every step that ran.
 */
public record Execution(
    long id,
    long workspaceId,
    long workflowId,
    int workflowVersion,
    long taskId,
    int actionId,
    String actionName,
    long performedBy,
    Status status,
    Integer failedStep,
    String reason,
    List<StepRecord> history,
    Instant createdAt,
    Instant updatedAt) {
  public Execution {
    history = List.copyOf(history);
  }

  public enum Status {
    PENDING("Pending"),
    RUNNING("Running"),
    SUCCEEDED("Succeeded"),
    FAILED("Failed");

    private final String label;

    Status(String label) {
      this.label = label;
    }

    /** As the API shows it: "Pending", "Running", "Succeeded", "Failed". */
    public String label() {
      return label;
    }

    public boolean finished() {
      return this == SUCCEEDED || this == FAILED;
    }
  }

  /**
   * A step that ran: its position, its type, whether it succeeded, the delivery that carries its
   * API call (or null), and what it did or why it failed.
   */
  public record StepRecord(
      int index, String type, boolean succeeded, Long deliveryId, String detail) {}

  public Execution withProgress(
      Status status, Integer failedStep, String reason, List<StepRecord> history, Instant now) {
    return new Execution(
        id,
        workspaceId,
        workflowId,
        workflowVersion,
        taskId,
        actionId,
        actionName,
        performedBy,
        status,
        failedStep,
        reason,
        history,
        createdAt,
        now);
  }
}
