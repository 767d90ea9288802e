package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.PageRequest;

/**
 * Storage of workflows (every saved version of their definitions), their tasks and the executions
 * of their actions. Tasks are kept as stored: values by field id, the stage by stage id ({@link
 * Workflow#named} shows them by name).
 */
public interface WorkflowStore {
  /**
   * Inserts a workflow as its version 1 ({@code id} and {@code createdAt} of the draft are ignored;
   * {@code updatedBy} is who defined it).
   */
  Workflow insertWorkflow(Workflow draft, Instant now);

  /**
   * Saves {@code next} as the workflow's new current version, {@code next.version()}, kept beside
   * the earlier ones. If the current version is no longer the one before it (someone saved
   * meanwhile), or the name is taken, this is a {@link org.backchannel.core.Problem.Conflict}.
   */
  Workflow updateWorkflow(Workflow next);

  /** The workflow at its current version. */
  Optional<Workflow> workflow(long id);

  /** The workflow as one of its versions defined it. */
  Optional<Workflow> workflowVersion(long id, int version);

  /** Every version of the workflow, oldest first. */
  List<Workflow> versions(long id);

  /** The workspace's workflows, by id. */
  List<Workflow> workflows(long workspaceId);

  /**
   * Whether a task of the workflow holds a value for the field, or, when {@code key} is not null,
   * the value whose {@link TaskValues#key} it is.
   */
  boolean holds(long workflowId, String fieldId, String key);

  /** Whether a task of the workflow is in the stage. */
  boolean hasTasksIn(long workflowId, String stageId);

  /** Two tasks of the workflow with the same value of the field, if any (their ids), else empty. */
  List<Long> tasksSharing(long workflowId, String fieldId);

  /**
   * Recomputes every task's Unique ID key from the field {@code fieldId} (none when null). Two
   * tasks with the same value are a conflict.
   */
  void rekeyUnique(long workflowId, String fieldId);

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

  /**
   * A workflow's tasks matching {@code filter} (field ids and stage ids), newest first, up to
   * {@code limit + 1}.
   */
  List<Task> tasks(long workflowId, TaskFilter filter, PageRequest page);

  /**
   * Inserts a pending execution of an action of the workflow at its version {@code
   * workflow.version()}. While the action has an unfinished (pending or running) execution on the
   * task, this is a {@link org.backchannel.core.Problem.Conflict} that names them.
   */
  Execution insertExecution(
      Workflow workflow, long taskId, ActionDef action, long performedBy, Instant now);

  Optional<Execution> execution(long id);

  /**
   * Writes an execution's status, failure and history, if it is still in status {@code expected};
   * returns whether it was.
   */
  boolean updateExecution(Execution execution, Execution.Status expected);

  /** Executions not finished yet (pending or running), oldest first. */
  List<Execution> unfinishedExecutions();
}
