package org.backchannel.server.web;

import static org.backchannel.server.web.Guard.html;
import static org.backchannel.server.web.Requests.id;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.backchannel.core.Json;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.App;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workflows.Workflow;
import org.backchannel.core.workflows.WorkflowJson;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.server.http.HttpProblem;

/**
 * The Flow Builder, for admins: a workflow as its stages and actions, an action's steps in order,
 * new steps (an API Call's URL, method and headers in a modal), Apply, then Save. The page is drawn
 * by {@code builder.js} from the workflow as the API shows it (header values {@code [redacted]});
 * Save posts the whole definition, with the form's CSRF token, and is answered in JSON: the saved
 * workflow, or the reasons by field, which the page shows by the fields. The same checks as {@code
 * PUT /api/v1/workflows/{id}} (and {@code POST /api/v1/workflows} for a new one) apply.
 */
final class FlowBuilderWeb implements WebArea {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Backchannel bc;
  private Guard guard;

  FlowBuilderWeb(Backchannel bc) {
    this.bc = bc;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    // Before /ui/workflows/{id}, which would take "new" for an id.
    r.get("/ui/workflows/new", guard.signedIn(this::newWorkflow));
    r.post("/ui/workflows", guard.signedIn(this::create));
    r.get("/ui/workflows/{id}/builder", guard.signedIn(this::builder));
    r.post("/ui/workflows/{id}/builder", guard.signedIn(this::save));
  }

  private void newWorkflow(Context ctx, Session s) {
    Directory.requireAdmin(s.user());
    ObjectNode start = F.objectNode().put("name", "");
    var apps = bc.apps().apps(s.user());
    if (apps.isEmpty()) {
      start.putNull("app_id");
    } else {
      start.put("app_id", apps.getFirst().id());
    }
    start.putArray("fields");
    start.putNull("unique_field");
    start.putArray("stages").addObject().put("name", "Open").put("end", false);
    start.putArray("actions");
    page(ctx, s, null, start, "/ui/workflows");
  }

  private void builder(Context ctx, Session s) {
    Directory.requireAdmin(s.user());
    Workflow w = bc.workflows().workflow(s.user(), id(ctx, "id"));
    page(ctx, s, w, WorkflowJson.shown(w), "/ui/workflows/" + w.id() + "/builder");
  }

  private void page(Context ctx, Session s, Workflow w, ObjectNode workflow, String save) {
    ObjectNode data = F.objectNode();
    data.set("workflow", workflow);
    data.put("save", save);
    var apps = data.putArray("apps");
    for (App a : bc.apps().apps(s.user())) {
      apps.addObject().put("id", a.id()).put("name", a.name());
    }
    var people = data.putArray("people");
    for (User u : bc.directory().users(s.user())) {
      people.addObject().put("id", u.id()).put("name", u.name()).put("email", u.email());
    }
    String json = Json.write(data);
    html(ctx, 200, (out, in) -> JteflowBuilderGenerated.render(out, in, s, w, json));
  }

  private void create(Context ctx, Session s) {
    answer(ctx, s, 201, () -> bc.workflows().define(s.user(), definition(ctx)));
  }

  private void save(Context ctx, Session s) {
    long workflowId = id(ctx, "id");
    answer(ctx, s, 200, () -> bc.workflows().replace(s.user(), workflowId, definition(ctx)));
  }

  /** What the page's script reads: the workflow saved, or why not, always as JSON. */
  private void answer(
      Context ctx, Session s, int status, java.util.function.Supplier<Workflow> op) {
    try {
      guard.requireCsrf(ctx, s);
      Directory.requireAdmin(s.user()); // before reading the definition: members get 403
      json(ctx, status, WorkflowJson.shown(op.get()));
    } catch (Problem p) {
      HttpProblem problem = HttpProblem.of(p);
      ObjectNode body = F.objectNode();
      if (problem.hasFields()) {
        body.put("message", "Validation error");
        ObjectNode errors = body.putObject("errors");
        problem
            .errors()
            .forEach((field, reasons) -> reasons.forEach(errors.withArrayProperty(field)::add));
      } else {
        body.put("message", problem.message());
      }
      json(ctx, problem.status(), body);
    }
  }

  /** The definition the page sent: JSON in the form's {@code definition}. */
  private static JsonNode definition(Context ctx) {
    String raw = ctx.formParam("definition");
    if (raw == null || raw.isBlank()) {
      throw Problem.Invalid.of("definition", "is required: the workflow as JSON");
    }
    // Named as the API names them: the page shows each reason by the field it names.
    JsonNode node = Json.readSent(raw, "body");
    if (!node.isObject()) {
      throw Problem.Invalid.of("definition", "must be a JSON object");
    }
    return node;
  }

  private static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }
}
