package org.backchannel.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.platform.Attachment;
import org.backchannel.core.platform.ChatMessage;
import org.backchannel.core.platform.ClientResult;
import org.backchannel.core.platform.Control;
import org.backchannel.core.platform.InstallResult;
import org.backchannel.core.platform.InstallableApp;
import org.backchannel.core.platform.PlatformIds;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/**
 * A flow's chat, where people use third-party apps: post messages (URL previews included), run
 * slash commands, press the apps' buttons and open their widgets, install and remove apps. Forms
 * work without script; the page's script sends them in the background and shows the answer in place
 * (asking with {@link Requests#fromScript}).
 */
final class ChatWeb implements WebArea {
  private static final int SHOWN = 50;
  private static final String CLIENT = "desktop";
  // "/word rest": a slash command; "/path/to" and the like are plain text.
  private static final Pattern COMMAND =
      Pattern.compile("/([A-Za-z0-9_.-]+)(?:\\s+(.*))?", Pattern.DOTALL);

  private final Backchannel bc;
  private Guard guard;

  ChatWeb(Backchannel bc) {
    this.bc = bc;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    String chat = "/ui/flows/{id}/chat";
    r.get("/ui/chat", guard.signedIn(this::firstChat));
    r.get(chat, guard.signedIn((ctx, s) -> render(ctx, s, Requests.id(ctx, "id"), null)));
    r.get(chat + "/messages", guard.signedIn(this::messagesFragment));
    r.get(chat + "/events", guard.live(bc.directory()::memberFlow, this::version));
    r.post(chat, guard.signedIn(this::compose));
    r.post(chat + "/apps/{app}/install", guard.signedIn(this::install));
    r.post(chat + "/apps/{app}/uninstall", guard.signedIn(this::uninstall));
    r.post(chat + "/apps/{app}/buttons/{button}", guard.signedIn(this::pressAppButton));
    r.post(chat + "/messages/{message}/buttons/{button}", guard.signedIn(this::pressMessageButton));
    r.post(chat + "/messages/{message}/flockml-actions/{action}", guard.signedIn(this::flockml));
  }

  private void firstChat(Context ctx, Session s) {
    List<Flow> flows = bc.directory().flows(s.user());
    if (flows.isEmpty()) {
      Guard.html(ctx, 200, (out, in) -> JtenoFlowsGenerated.render(out, in, s, "Chat"));
      return;
    }
    ctx.redirect("/ui/flows/" + flows.getFirst().id() + "/chat", HttpStatus.SEE_OTHER);
  }

  private List<ChatMessage> shown(User user, long flowId) {
    return bc.platform().flowMessages(user, flowId, new PageRequest(null, null, SHOWN)).items();
  }

  /** Changes with every new message and every preview added to one (messages are not edited). */
  private String version(User user, long flowId) {
    List<ChatMessage> messages = shown(user, flowId);
    long attachments = messages.stream().mapToLong(m -> m.attachments().size()).sum();
    return (messages.isEmpty() ? 0 : messages.getFirst().id()) + "." + attachments;
  }

  private Map<Long, String> people(User user) {
    Map<Long, String> out = new HashMap<>();
    bc.directory().users(user).forEach(u -> out.put(u.id(), u.name()));
    return out;
  }

  private void messagesFragment(Context ctx, Session s) {
    long flowId = Requests.id(ctx, "id");
    List<ChatMessage> messages = shown(s.user(), flowId);
    var people = people(s.user());
    var apps = bc.platform().installable(s.user());
    Guard.html(
        ctx,
        200,
        (out, in) -> JtechatMessagesGenerated.render(out, in, s, flowId, messages, people, apps));
  }

  private void render(Context ctx, Session s, long flowId, ChatPages.Overlay overlay) {
    Flow flow = bc.directory().memberFlow(s.user(), flowId);
    List<ChatMessage> messages = shown(s.user(), flowId);
    List<InstallableApp> apps = bc.platform().installable(s.user());
    var view =
        new ChatPages.View(
            s,
            bc.directory().flows(s.user()),
            flow,
            apps,
            messages,
            people(s.user()),
            version(s.user(), flowId),
            overlay);
    var origins = ChatPages.frameOrigins(apps, messages, overlay);
    // Only the apps' widget origins may be framed here; every other rule stays as strict.
    ctx.header(
        "Content-Security-Policy",
        Guard.CSP + "; frame-src " + (origins.isEmpty() ? "'none'" : String.join(" ", origins)));
    Guard.html(ctx, 200, (out, in) -> JtechatGenerated.render(out, in, view));
  }

  /** The answer to a form: the overlay alone when asked in place, else the whole page. */
  private void answer(Context ctx, Session s, long flowId, ChatPages.Overlay overlay) {
    if (Requests.fromScript(ctx)) {
      Guard.html(ctx, 200, (out, in) -> JtechatOverlayGenerated.render(out, in, overlay));
    } else {
      render(ctx, s, flowId, overlay);
    }
  }

  // ---- acting

  private void compose(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long flowId = Requests.id(ctx, "id");
    String text = ctx.formParam("text");
    Matcher m = COMMAND.matcher(text == null ? "" : text.strip());
    if (m.matches()) {
      String command = m.group(1);
      InstallableApp app =
          bc.platform().installable(s.user()).stream()
              .filter(InstallableApp::installed)
              .filter(a -> hasCommand(a, command))
              .findFirst()
              .orElseThrow(
                  () ->
                      Problem.Invalid.of(
                          "text", "/" + command + " is not a command of an app you installed"));
      ClientResult result =
          bc.platform()
              .slashCommand(
                  s.user(),
                  app.app().id(),
                  command,
                  m.group(2) == null ? "" : m.group(2).strip(),
                  PlatformIds.flow(flowId),
                  CLIENT);
      answer(ctx, s, flowId, overlay(app.app().name(), "/" + command, result));
      return;
    }
    bc.platform().post(s.user(), flowId, text);
    if (Requests.fromScript(ctx)) {
      Guard.html(ctx, 200, "");
    } else {
      ctx.redirect("/ui/flows/" + flowId + "/chat", HttpStatus.SEE_OTHER);
    }
  }

  private static boolean hasCommand(InstallableApp app, String command) {
    return app.registration().controls().stream()
        .anyMatch(c -> c.kind() == Control.Kind.SLASH_COMMAND && c.name().equals(command));
  }

  private InstallableApp app(Session s, long appId) {
    return bc.platform().installable(s.user()).stream()
        .filter(a -> a.app().id() == appId)
        .findFirst()
        .orElseThrow(() -> new Problem.NotFound("app " + appId));
  }

  private void install(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long flowId = Requests.id(ctx, "id");
    InstallableApp app = app(s, Requests.id(ctx, "app"));
    String name = app.app().name();
    ChatPages.Overlay overlay =
        switch (bc.platform().install(s.user(), app.app().id())) {
          case InstallResult.Installed i ->
              ChatPages.Overlay.notice(name, "Installed. Its commands and buttons are ready.");
          case InstallResult.Failed f ->
              ChatPages.Overlay.failed(
                  name, "Could not be installed: " + f.failure().reason() + ".");
        };
    answer(ctx, s, flowId, overlay);
  }

  private void uninstall(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long flowId = Requests.id(ctx, "id");
    InstallableApp app = app(s, Requests.id(ctx, "app"));
    bc.platform().uninstall(s.user(), app.app().id());
    answer(ctx, s, flowId, ChatPages.Overlay.notice(app.app().name(), "Removed."));
  }

  private void pressAppButton(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long flowId = Requests.id(ctx, "id");
    InstallableApp app = app(s, Requests.id(ctx, "app"));
    String button = ctx.pathParam("button");
    String name =
        app.registration().controls().stream()
            .filter(c -> c.kind().wire().equals(button))
            .map(Control::name)
            .findFirst()
            .orElse(button);
    ClientResult result =
        bc.platform()
            .pressButton(s.user(), app.app().id(), button, PlatformIds.flow(flowId), CLIENT);
    answer(ctx, s, flowId, overlay(app.app().name(), "“" + name + "”", result));
  }

  /** A message of this flow the person can see; any other is not found here. */
  private ChatMessage message(Context ctx, Session s, long flowId) {
    ChatMessage m = bc.platform().message(s.user(), Requests.id(ctx, "message"));
    if (!m.chat().equals(PlatformIds.flow(flowId))) {
      throw new Problem.NotFound("message " + m.id());
    }
    return m;
  }

  private void pressMessageButton(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long flowId = Requests.id(ctx, "id");
    ChatMessage m = message(ctx, s, flowId);
    String id = ctx.pathParam("button");
    Attachment attachment =
        m.attachments().stream()
            .filter(a -> a.buttons().stream().anyMatch(b -> b.id().equals(id)))
            .findFirst()
            .orElseThrow(() -> new Problem.NotFound("button " + id + " of message " + m.id()));
    String name =
        attachment.buttons().stream().filter(b -> b.id().equals(id)).findFirst().get().name();
    ClientResult result = bc.platform().pressMessageButton(s.user(), m.id(), id, CLIENT);
    answer(ctx, s, flowId, overlay(appName(s, attachment.appId()), "“" + name + "”", result));
  }

  private void flockml(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long flowId = Requests.id(ctx, "id");
    ChatMessage m = message(ctx, s, flowId);
    String id = ctx.pathParam("action");
    ClientResult result = bc.platform().flockmlAction(s.user(), m.id(), id, CLIENT);
    long appId =
        m.attachments().stream()
            .filter(a -> a.flockml() != null && a.flockml().contains("id=\"" + id + "\""))
            .mapToLong(Attachment::appId)
            .findFirst()
            .orElse(-1);
    answer(ctx, s, flowId, overlay(appName(s, appId), "The action", result));
  }

  private String appName(Session s, long appId) {
    return ChatPages.appName(bc.platform().installable(s.user()), appId);
  }

  /** What the person sees after using an app's control. */
  private static ChatPages.Overlay overlay(String app, String what, ClientResult result) {
    return switch (result) {
      case ClientResult.Open open when open.widgetType() != null ->
          new ChatPages.Overlay(null, new ChatPages.Widget(app, open.url(), open.widgetType()));
      case ClientResult.Open open ->
          new ChatPages.Overlay(
              new ChatPages.Notice(app, what + " opens a page of the app.", false, open.url()),
              null);
      case ClientResult.Queued queued -> ChatPages.Overlay.notice(app, what + ": sent to the app.");
      case ClientResult.Answered answered ->
          switch (answered.outcome()) {
            case Outcome.Failed f ->
                ChatPages.Overlay.failed(app, what + " did not work: " + f.reason() + ".");
            default ->
                answered.text() != null && !answered.text().isBlank()
                    ? ChatPages.Overlay.notice(app, answered.text())
                    : ChatPages.Overlay.notice(app, what + ": done.");
          };
    };
  }
}
