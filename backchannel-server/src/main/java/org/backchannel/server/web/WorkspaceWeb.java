package org.backchannel.server.web;

import static org.backchannel.server.web.Requests.id;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.PageRequest;
import org.backchannel.core.oauth.FlowApps;
import org.backchannel.core.threads.ActionResult;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/**
 * The workspace people act in: their flows, each flow's threads and the apps in it, and the
 * threads' actions.
 */
final class WorkspaceWeb implements WebArea {
  private final Backchannel bc;
  private Guard guard;

  WorkspaceWeb(Backchannel bc) {
    this.bc = bc;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get("/", ctx -> ctx.redirect("/ui", HttpStatus.SEE_OTHER));
    r.get("/ui", guard.signedIn(this::home));
    r.get("/ui/flows/{id}", guard.signedIn((ctx, s) -> renderFlow(ctx, s, id(ctx, "id"), null)));
    r.get("/ui/flows/{id}/threads", guard.signedIn(this::threadsFragment));
    r.get(
        "/ui/flows/{id}/events",
        guard.live(
            bc.directory()::memberFlow, (user, flowId) -> Long.toString(version(user, flowId))));
    r.post("/ui/threads/{id}/actions/{index}", guard.signedIn(this::selectAction));
  }

  private void home(Context ctx, Session s) {
    List<Flow> flows = bc.directory().flows(s.user());
    if (flows.isEmpty()) {
      Guard.html(ctx, 200, (out, in) -> JtenoFlowsGenerated.render(out, in, s, "Workspace"));
      return;
    }
    ctx.redirect("/ui/flows/" + flows.getFirst().id(), HttpStatus.SEE_OTHER);
  }

  private List<Pages.ThreadView> threads(Session s, long flowId) {
    var page = bc.threads().threads(s.user(), flowId, new PageRequest(null, null, 20));
    List<Pages.ThreadView> out = new ArrayList<>();
    for (FlowThread t : page.items()) {
      var messages = bc.threads().threadMessages(s.user(), t.id(), new PageRequest(null, null, 20));
      out.add(new Pages.ThreadView(t, messages.items()));
    }
    return out;
  }

  private void threadsFragment(Context ctx, Session s) {
    long flowId = id(ctx, "id");
    bc.directory().memberFlow(s.user(), flowId);
    var threads = threads(s, flowId);
    Guard.html(ctx, 200, (out, in) -> JtethreadsGenerated.render(out, in, s, threads));
  }

  /** The newest message id in a flow: it changes whenever anything is posted there. */
  private long version(User user, long flowId) {
    var latest = bc.threads().flowMessages(user, flowId, new PageRequest(null, null, 1));
    return latest.items().isEmpty() ? 0 : latest.items().getFirst().id();
  }

  private void selectAction(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long threadId = id(ctx, "id");
    long index = id(ctx, "index");
    FlowThread thread = bc.threads().thread(s.user(), threadId);
    ActionResult result =
        bc.threads().selectAction(s.user(), threadId, (int) Math.min(index, Integer.MAX_VALUE));
    String name = thread.data().actions().get((int) index).name();
    renderFlow(ctx, s, thread.flowId(), new Pages.Result(thread.data().title(), name, result));
  }

  private void renderFlow(Context ctx, Session s, long flowId, Pages.Result result) {
    Flow flow = bc.directory().memberFlow(s.user(), flowId);
    var flows = bc.directory().flows(s.user());
    long version = version(s.user(), flowId);
    var threads = threads(s, flowId);
    FlowApps apps = bc.grants().flowApps(s.user(), flowId);
    Guard.html(
        ctx,
        200,
        (out, in) ->
            JteflowGenerated.render(out, in, s, flows, flow, version, threads, result, apps));
  }
}
