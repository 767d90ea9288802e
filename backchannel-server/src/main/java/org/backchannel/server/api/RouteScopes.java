package org.backchannel.server.api;

import static java.util.Map.entry;
import static org.backchannel.core.workspace.Scope.CHAT_WRITE;
import static org.backchannel.core.workspace.Scope.FLOW_POST;
import static org.backchannel.core.workspace.Scope.FLOW_READ;
import static org.backchannel.core.workspace.Scope.USER_READ;
import static org.backchannel.core.workspace.Scope.WORKFLOWS_TASKS;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.workspace.Delegation;
import org.backchannel.core.workspace.Scope;
import org.backchannel.core.workspace.User;

/**
 * The scope each API route needs when an app calls it with an OAuth access token, in one table
 * (docs/API.md and openapi.json say the same). A person's own API token passes on every route as
 * before. A route missing here takes a personal token only: admin work, people, apps and their
 * secrets, endpoints, deliveries, workflow definitions, workspace settings, and any route added
 * later until someone decides which scope covers it.
 */
final class RouteScopes {
  private static final String FLOW = "/api/v1/flows/{id}";
  private static final String THREAD = "/api/v1/threads/{id}";
  private static final String PLATFORM_APP = "/api/v1/platform/apps/{id}";
  private static final String PLATFORM_MESSAGE = "/api/v1/platform/messages/{id}";
  private static final String WORKFLOW = "/api/v1/workflows/{id}";
  private static final String TASK = WORKFLOW + "/tasks/{task}";

  private static final Map<String, Scope> TABLE =
      Map.ofEntries(
          entry("GET /api/v1/me", USER_READ),
          // Reading the flow a grant names (any other answers 404: Directory.memberFlow).
          entry("GET /api/v1/flows", FLOW_READ),
          entry("GET " + FLOW, FLOW_READ),
          entry("GET " + FLOW + "/members", FLOW_READ),
          entry("GET " + FLOW + "/threads", FLOW_READ),
          entry("GET " + FLOW + "/messages", FLOW_READ),
          entry("GET " + THREAD, FLOW_READ),
          entry("GET " + THREAD + "/messages", FLOW_READ),
          entry("GET /api/v1/platform/flows/{id}/messages", FLOW_READ),
          entry("GET " + PLATFORM_MESSAGE, FLOW_READ),
          // The app's own sources in the grant's flow.
          entry("GET " + FLOW + "/sources", FLOW_POST),
          entry("POST " + FLOW + "/sources", FLOW_POST),
          entry("DELETE " + FLOW + "/sources/{source}", FLOW_POST),
          // Acting as the person in chats; /v1/{method} reads its own token, and names the method.
          entry("POST /v1/chat.sendMessage", CHAT_WRITE),
          entry("POST " + THREAD + "/actions/{index}", CHAT_WRITE),
          entry("POST /api/v1/platform/flows/{id}/messages", CHAT_WRITE),
          entry("POST " + PLATFORM_APP + "/bot/messages", CHAT_WRITE),
          entry("POST " + PLATFORM_APP + "/slash-commands", CHAT_WRITE),
          entry("POST " + PLATFORM_APP + "/buttons/{button}", CHAT_WRITE),
          entry("POST " + PLATFORM_APP + "/widgets/{widget}/actions", CHAT_WRITE),
          entry("POST " + PLATFORM_MESSAGE + "/buttons/{button}", CHAT_WRITE),
          entry("POST " + PLATFORM_MESSAGE + "/flockml-actions/{action}", CHAT_WRITE),
          // Workflows as they are (their definitions are an admin's), their tasks and actions.
          entry("GET /api/v1/workflows", WORKFLOWS_TASKS),
          entry("GET " + WORKFLOW, WORKFLOWS_TASKS),
          entry("GET " + WORKFLOW + "/versions", WORKFLOWS_TASKS),
          entry("GET " + WORKFLOW + "/versions/{version}", WORKFLOWS_TASKS),
          entry("POST " + WORKFLOW + "/tasks", WORKFLOWS_TASKS),
          entry("GET " + WORKFLOW + "/tasks", WORKFLOWS_TASKS),
          entry("GET " + WORKFLOW + "/tasks/active", WORKFLOWS_TASKS),
          entry("GET " + TASK, WORKFLOWS_TASKS),
          entry("PATCH " + TASK, WORKFLOWS_TASKS),
          entry("GET " + TASK + "/actions", WORKFLOWS_TASKS),
          entry("POST " + WORKFLOW + "/executions", WORKFLOWS_TASKS),
          entry("GET /api/v1/executions/{id}", WORKFLOWS_TASKS));

  private RouteScopes() {}

  /** The scope a route ({@code GET}, {@code /api/v1/flows/{id}}) needs; empty: personal only. */
  static Optional<Scope> of(String method, String path) {
    return Optional.ofNullable(TABLE.get(method + " " + path));
  }

  /**
   * Refuses an app acting for a person on a route its grant does not cover.
   *
   * @throws Problem.Forbidden naming the scope the route needs, or saying that no scope covers it
   */
  static void check(User caller, String method, String path) {
    Delegation grant = caller.delegation();
    if (grant == null) {
      return;
    }
    Scope needed =
        of(method, path)
            .orElseThrow(
                () ->
                    new Problem.Forbidden(
                        "this route takes a personal API token; an app's access token cannot"
                            + " use it"));
    if (!grant.allows(needed)) {
      throw new Problem.Forbidden(
          "the app's access token does not have the scope " + needed.wire(),
          Map.of("scope", List.of("requires " + needed.wire())));
    }
  }
}
