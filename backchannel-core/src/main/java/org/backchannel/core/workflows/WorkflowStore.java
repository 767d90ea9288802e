package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.PageRequest;

/** Storage of workflows, their tasks and the executions of their actions. */
public interface WorkflowStore {
  /** Inserts a workflow ({@code id} and {@code createdAt} of the draft are ignored). */
  Workflow insertWorkflow(Workflow draft, Instant now);

  Optional<Workflow> workflow(long id);

  /** The workspace's workflows, by id. */
  List<Workflow> workflows(long workspaceId);

  /**
   * Inserts a task. {@code uniqueKey} is the {@link TaskValues#key} of its Unique ID value, or
   * null; a clash is a conflict.
   */
  Task insertTask(
      long workflowId, Map<String, JsonNode> values, String stage, String uniqueKey, Instant now);

  /** Replaces a task's values and stage. */
  Task updateTask(
      long taskId, Map<String, JsonNode> values, String stage, String uniqueKey, Instant now);

  Optional<Task> task(long id);

  /** The task, held against other transactions' changes until this one ends. */
  Optional<Task> taskForUpdate(long id);

  /** The task of a workflow whose Unique ID value has this key. */
  Optional<Task> taskByUniqueKey(long workflowId, String uniqueKey);

  /** A workflow's tasks matching {@code filter}, newest first, up to {@code limit + 1}. */
  List<Task> tasks(long workflowId, TaskFilter filter, PageRequest page);

  /**
   * Inserts a pending execution. While the action has an unfinished (pending or running) execution
   * on the task, this is a {@link org.backchannel.core.Problem.Conflict} that names them.
   */
  Execution insertExecution(
      long workspaceId,
      long workflowId,
      long taskId,
      ActionDef action,
      long performedBy,
      Instant now);

  Optional<Execution> execution(long id);

  /**
   * Writes an execution's status, failure and history, if it is still in status {@code expected};
   * returns whether it was.
   */
  boolean updateExecution(Execution execution, Execution.Status expected);

  /** Executions not finished yet (pending or running), oldest first. */
  List<Execution> unfinishedExecutions();
}
