package org.backchannel.core.workflows;

import java.util.List;
import java.util.Set;
import org.backchannel.core.workspace.User;

/**
 * An action people run on a task. {@code id} is given when the action is first saved (1, 2, 3… in
 * order, then the next unused number) and kept through renames, edits and reordering, so that
 * executions and API clients keep naming the same action; 0 only in a definition not yet resolved.
 * Who may run it: anyone with one of {@code roles} or listed in {@code userIds}; everyone when both
 * are empty. It is available in {@code stages} (every stage when empty), once every field in {@code
 * requirements} is set.
 */
public record ActionDef(
    int id,
    String name,
    Set<User.Role> roles,
    List<Long> userIds,
    List<String> stages,
    List<String> requirements,
    List<Step> steps) {
  public ActionDef {
    roles = Set.copyOf(roles);
    userIds = List.copyOf(userIds);
    stages = List.copyOf(stages);
    requirements = List.copyOf(requirements);
    steps = List.copyOf(steps);
  }

  public boolean mayRun(User user) {
    return (roles.isEmpty() && userIds.isEmpty())
        || roles.contains(user.role())
        || userIds.contains(user.id());
  }

  public boolean availableIn(String stage) {
    return stages.isEmpty() || stages.contains(stage);
  }

  ActionDef with(int newId, List<Step> newSteps) {
    return new ActionDef(newId, name, roles, userIds, stages, requirements, newSteps);
  }
}
