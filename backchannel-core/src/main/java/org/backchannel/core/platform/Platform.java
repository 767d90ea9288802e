package org.backchannel.core.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.Created;
import org.backchannel.core.Json;
import org.backchannel.core.Page;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.Apps;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivered;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryEngine;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Delegation;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.Scope;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Event;
import org.backchannel.sdk.EventToken;

/**
 * App events (the Flock model): developers register an app's listener, URL patterns and controls;
 * people install apps, message their bots, run slash commands, press buttons and trigger widget and
 * FlockML actions; apps act as the people who installed them. Events a person waits on are sent at
 * once within the interactive bound; the others are written to the outbox in the same transaction
 * as the change they report.
 */
public final class Platform {
  /** The longest a replaced secret may go on signing Standard Webhooks headers. */
  public static final Duration MAX_GRACE = Duration.ofDays(7);

  static final int MAX_TEXT = 4000;
  static final int MAX_PATTERNS = 20;
  static final int MAX_PREVIEWS = 3;
  static final Set<String> CLIENTS = Set.of("desktop", "ios", "android");
  private static final Pattern URL_IN_TEXT = Pattern.compile("https?://[^\\s<>\"]+");

  private final Store store;
  private final SecretBox box;
  private final Apps apps;
  private final Directory directory;
  private final DeliveryEngine engine;
  private final Outbox outbox;
  private final InstantSource clock;

  public Platform(
      Store store,
      SecretBox box,
      Apps apps,
      Directory directory,
      DeliveryEngine engine,
      Outbox outbox,
      InstantSource clock) {
    this.store = store;
    this.box = box;
    this.apps = apps;
    this.directory = directory;
    this.engine = engine;
    this.outbox = outbox;
    this.clock = clock;
  }

  // ---- developers (admins)

  /**
   * Sets an app's {@code event_listener_url}, {@code url_patterns} and {@code controls}, replacing
   * what was there. The listener URL becomes the app's {@code FLOCK_LISTENER} endpoint, which gets
   * its Flock events and nothing else; a URL that is already one of its webhook endpoints (native
   * events) is refused.
   */
  public Registration register(User caller, long appId, JsonNode body) {
    App app = apps.app(caller, appId);
    Validation v = new Validation();
    if (body == null || !body.isObject()) {
      throw Problem.Invalid.of("body", "must be a JSON object");
    }
    String listener = PlatformJson.text(body, "event_listener_url", "", v);
    v.httpUrl("event_listener_url", listener);
    v.maxLength("event_listener_url", listener, 2000);
    List<String> patterns = patterns(body.get("url_patterns"), v);
    List<Control> controls = PlatformJson.controls(body.get("controls"), v);
    boolean sends =
        !patterns.isEmpty()
            || controls.stream().anyMatch(c -> c.action().type() == ClientAction.Type.SEND_EVENT);
    if (listener == null && sends) {
      v.add(
          "event_listener_url",
          "is required for URL patterns and for controls whose action is sendEvent");
    }
    v.throwIfInvalid();
    Instant now = clock.instant();
    return store.transaction(
        tx -> {
          if (listener != null) {
            Endpoint e =
                tx.store(DeliveryStore.class)
                    .endpointFor(
                        app.workspaceId(), appId, listener, Endpoint.Kind.FLOCK_LISTENER, now);
            if (e.kind() != Endpoint.Kind.FLOCK_LISTENER) {
              throw new Problem.Conflict(
                  "event_listener_url is endpoint "
                      + e.id()
                      + " of app "
                      + appId
                      + ", which receives native events; the listener receives only Flock"
                      + " events, so it needs a URL of its own");
            }
          }
          return tx.store(PlatformStore.class)
              .saveRegistration(appId, listener, patterns, controls, now);
        });
  }

  public Registration registration(User caller, long appId) {
    apps.app(caller, appId);
    return store
        .read(tx -> tx.store(PlatformStore.class).registration(appId))
        .orElseGet(() -> new Registration(appId, null, List.of(), List.of(), null));
  }

  /**
   * Issues a new secret for an app (shown once) and keeps it pending, replacing any pending one.
   * While it is pending, calls carry a second Standard Webhooks signature made with it, and every
   * token (FLOWDOCK-TOKEN, X-Flock-Event-Token, flockEventToken) is still signed with the current
   * secret, so that an app knowing only that one keeps working until {@link #activateSecret}.
   * Returns since when it is pending.
   */
  public Created<Instant> rotateSecret(User caller, long appId) {
    apps.app(caller, appId);
    AppSecret secret = AppSecret.generate();
    Instant now = clock.instant();
    store.transaction(
        tx -> {
          tx.store(PlatformStore.class).setPendingSecret(appId, box.seal(secret.value()), now);
          return null;
        });
    return new Created<>(now, secret.value());
  }

  /**
   * Makes the app's pending secret its current one: tokens are signed with it from now on, and the
   * secret it replaces stops signing them at once. That one goes on signing Standard Webhooks
   * headers, beside the new one, for {@code grace} (null or zero: not at all).
   */
  public SecretActivation activateSecret(User caller, long appId, Duration grace) {
    apps.app(caller, appId);
    Duration g = grace == null ? Duration.ZERO : grace;
    if (g.isNegative() || g.compareTo(MAX_GRACE) > 0) {
      throw Problem.Invalid.of("grace_seconds", "must be from 0 to " + MAX_GRACE.toSeconds());
    }
    Instant now = clock.instant();
    Instant expires = g.isZero() ? null : now.plus(g);
    store.transaction(
        tx -> {
          AppStore appStore = tx.store(AppStore.class);
          String pending =
              appStore
                  .pendingSecretCiphertext(appId)
                  .orElseThrow(
                      () ->
                          new Problem.Conflict(
                              "app " + appId + " has no pending secret: rotate it first"));
          String current = expires == null ? null : appStore.appSecretCiphertext(appId);
          if (!tx.store(PlatformStore.class).activateSecret(appId, pending, current, expires)) {
            throw new Problem.Conflict(
                "the pending secret of app " + appId + " was replaced meanwhile: activate again");
          }
          return null;
        });
    return new SecretActivation(now, expires);
  }

  /** Where the app's secret rotation stands (admins only). */
  public SecretState secretState(User caller, long appId) {
    apps.app(caller, appId);
    return store.read(tx -> tx.store(PlatformStore.class).secretState(appId, clock.instant()));
  }

  /** Who has the app installed now (admins only), oldest install first. */
  public List<Install> installs(User caller, long appId) {
    apps.app(caller, appId);
    return store.read(tx -> tx.store(PlatformStore.class).liveInstallsOfApp(appId));
  }

  private static List<String> patterns(JsonNode node, Validation v) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray() || node.size() > MAX_PATTERNS) {
      v.add("url_patterns", "must be an array of at most " + MAX_PATTERNS + " patterns");
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode p = node.get(i);
      String at = "url_patterns[" + i + "]";
      if (!p.isTextual()
          || !p.asText().matches("(?i)https?://[^\\s]+")
          || p.asText().length() > 500) {
        v.add(at, "must be an http or https URL of at most 500 characters, * matching anything");
      } else {
        out.add(p.asText());
      }
    }
    return out;
  }

  static boolean matches(String pattern, String url) {
    StringBuilder regex = new StringBuilder();
    for (String part : pattern.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE).matcher(url).matches();
  }

  // ---- installing

  /**
   * Installs an app for the caller: {@code app.install} with a new install token goes to the
   * listener while the person waits, and only an answer of exactly 200 installs it.
   */
  public InstallResult install(User caller, long appId) {
    Target t = target(caller, appId);
    if (store
        .read(tx -> tx.store(PlatformStore.class).liveInstall(appId, caller.id()))
        .isPresent()) {
      throw new Problem.Conflict("app " + appId + " is already installed");
    }
    String token = "bci_" + Tokens.hex(24);
    ObjectNode event = event(Event.APP_INSTALL, caller).put("token", token);
    // The token has to travel in clear; once the call is over it is kept only as its hash.
    Delivered delivered = engine.callNow(call(caller, t, event), token);
    Delivery delivery = delivered.delivery();
    if (delivered.outcome() instanceof Outcome.Failed failed) {
      return new InstallResult.Failed(failed, delivery.id());
    }
    Install install =
        store.transaction(
            tx -> {
              if (tx.store(PlatformStore.class).liveInstall(appId, caller.id()).isPresent()) {
                throw new Problem.Conflict("app " + appId + " is already installed");
              }
              return tx.store(PlatformStore.class)
                  .insertInstall(appId, caller.id(), Tokens.hash(token), clock.instant());
            });
    return new InstallResult.Installed(install, delivery.id());
  }

  /**
   * The apps of the caller's workspace that people can install (those with a registration), in the
   * order they were created, each with whether the caller has installed it.
   */
  public List<InstallableApp> installable(User caller) {
    return store.read(
        tx -> {
          Set<Long> installed = new java.util.HashSet<>();
          tx.store(PlatformStore.class)
              .liveInstallsOf(caller.id())
              .forEach(i -> installed.add(i.appId()));
          List<InstallableApp> out = new ArrayList<>();
          for (App app : tx.store(AppStore.class).apps(caller.workspaceId())) {
            tx.store(PlatformStore.class)
                .registration(app.id())
                .ifPresent(r -> out.add(new InstallableApp(app, r, installed.contains(app.id()))));
          }
          return out;
        });
  }

  /** Removes the caller's install: its token stops working and {@code app.uninstall} is queued. */
  public Install uninstall(User caller, long appId) {
    Target t = target(caller, appId);
    Instant now = clock.instant();
    return store.transaction(
        tx -> {
          // Nothing to remove is "not found" (the app itself is visible: using it needs an install,
          // which is why every other route answers 403).
          Install install =
              tx.store(PlatformStore.class)
                  .liveInstall(appId, caller.id())
                  .orElseThrow(() -> new Problem.NotFound("install of app " + appId));
          tx.store(PlatformStore.class).revokeInstall(install.id(), now);
          if (t.registration().eventListenerUrl() != null) {
            queue(tx, caller, t, event(Event.APP_UNINSTALL, caller));
          }
          return new Install(install.id(), appId, caller.id(), install.createdAt(), now);
        });
  }

  // ---- events from people

  /** The caller messages the app's bot: stored, and {@code chat.receiveMessage} queued. */
  public ChatMessage messageBot(User caller, long appId, String text) {
    requireText(text);
    Target t = target(caller, appId);
    if (!reachesDirectChats(caller)) {
      throw new Problem.NotFound("chat " + PlatformIds.bot(appId));
    }
    return store.transaction(
        tx -> {
          requireInstall(tx, caller, appId);
          ChatMessage m =
              tx.store(PlatformStore.class)
                  .insertChatMessage(
                      caller.workspaceId(),
                      caller.id(),
                      appId,
                      PlatformIds.bot(appId),
                      text,
                      List.of(),
                      clock.instant());
          ObjectNode event = event(Event.CHAT_RECEIVE_MESSAGE, caller);
          event
              .putObject("message")
              .put("uid", m.uid())
              .put("from", PlatformIds.user(caller.id()))
              .put("to", PlatformIds.bot(appId))
              .put("text", text)
              .put("timestamp", m.createdAt().toString());
          if (t.registration().eventListenerUrl() != null) {
            queue(tx, caller, t, event);
          }
          return m;
        });
  }

  /**
   * The caller enters {@code /command text} in {@code chat}. Sent to the listener while they wait
   * (the answer's text is theirs alone to see), or opened as the command's action says.
   */
  public ClientResult slashCommand(
      User caller, long appId, String command, String text, String chat, String client) {
    if (command == null || command.isBlank()) {
      throw Problem.Invalid.of("command", "is required");
    }
    Target t = installedTarget(caller, appId);
    Control control = control(t, Control.Kind.SLASH_COMMAND, command);
    ObjectNode event =
        clientEvent(Event.CLIENT_SLASH_COMMAND, caller, chat(caller, chat, "chat"))
            .put("command", command)
            .put("text", text == null ? "" : text);
    return use(caller, t, control.action(), event, client, true);
  }

  /** The caller presses one of the app's client buttons, named by its kind, in {@code chat}. */
  public ClientResult pressButton(
      User caller, long appId, String button, String chat, String client) {
    Target t = installedTarget(caller, appId);
    Control.Kind kind = Control.Kind.of(button);
    if (kind == null || !kind.button()) {
      throw new Problem.NotFound("button " + button);
    }
    Control control = control(t, kind, null);
    ObjectNode event =
        clientEvent(Event.CLIENT_PRESS_BUTTON, caller, chat(caller, chat, "chat"))
            .put("button", kind.wire());
    return use(caller, t, control.action(), event, client, false);
  }

  /** The caller presses button {@code buttonId} of an attachment of a message they can see. */
  public ClientResult pressMessageButton(
      User caller, long messageId, String buttonId, String client) {
    ChatMessage m = message(caller, messageId);
    for (Attachment a : m.attachments()) {
      for (Attachment.Button b : a.buttons()) {
        if (b.id().equals(buttonId)) {
          Target t = target(caller, a.appId());
          ObjectNode event =
              clientEvent(Event.CLIENT_PRESS_BUTTON, caller, chatOf(caller, m))
                  .put("button", "attachmentButton")
                  .put("buttonId", buttonId)
                  .put("messageUid", m.uid());
          return use(caller, t, b.action(), event, client, false);
        }
      }
    }
    throw new Problem.NotFound("button " + buttonId + " of message " + messageId);
  }

  /** A widget of the app, open in the caller's client, triggers an action. */
  public ClientResult widgetAction(
      User caller, long appId, String widget, String chat, String client) {
    Target t = installedTarget(caller, appId);
    Control control = control(t, Control.Kind.WIDGET, widget);
    ObjectNode event =
        clientEvent(Event.CLIENT_WIDGET_ACTION, caller, chat(caller, chat, "chat"))
            .put("widget", widget);
    return use(caller, t, control.action(), event, client, false);
  }

  /** The caller triggers {@code <action id="...">} in the FlockML of a message they can see. */
  public ClientResult flockmlAction(User caller, long messageId, String actionId, String client) {
    ChatMessage m = message(caller, messageId);
    for (Attachment a : m.attachments()) {
      Optional<ClientAction> action = FlockMl.action(a.flockml(), actionId);
      if (action.isPresent()) {
        Target t = target(caller, a.appId());
        ObjectNode event =
            clientEvent(Event.CLIENT_FLOCKML_ACTION, caller, chatOf(caller, m))
                .put("actionId", actionId)
                .put("messageUid", m.uid());
        return use(caller, t, action.get(), event, client, false);
      }
    }
    throw new Problem.NotFound("action " + actionId + " of message " + messageId);
  }

  // ---- chat

  /**
   * The caller posts {@code text} to a flow. Each URL in it that an app the caller installed claims
   * is sent as {@code chat.generateUrlPreview} (all at once, so the wait is one interactive bound),
   * and the attachments answered are added to the message.
   */
  public ChatMessage post(User caller, long flowId, String text) {
    requireText(text);
    directory.memberFlow(caller, flowId);
    ChatMessage m =
        store.transaction(
            tx ->
                tx.store(PlatformStore.class)
                    .insertChatMessage(
                        caller.workspaceId(),
                        caller.id(),
                        null,
                        PlatformIds.flow(flowId),
                        text,
                        List.of(),
                        clock.instant()));
    Map<String, Target> claims = store.read(tx -> claims(tx, caller, text));
    if (claims.isEmpty()) {
      return m;
    }
    List<NewDelivery> calls = new ArrayList<>();
    List<Long> appIds = new ArrayList<>();
    claims.forEach(
        (url, t) -> {
          ObjectNode event =
              event(Event.CHAT_GENERATE_URL_PREVIEW, caller)
                  .put("url", url)
                  .put("messageUid", m.uid());
          calls.add(call(caller, t, event));
          appIds.add(t.app().id());
        });
    List<Delivered> answered = engine.callNow(calls);
    List<Attachment> previews = new ArrayList<>();
    for (int i = 0; i < answered.size(); i++) {
      preview(answered.get(i), appIds.get(i)).ifPresent(previews::add);
    }
    if (previews.isEmpty()) {
      return m;
    }
    return store.transaction(tx -> tx.store(PlatformStore.class).setAttachments(m.id(), previews));
  }

  /** URL to the app that claims it, in order, at most one URL per app, at most a few. */
  private Map<String, Target> claims(Tx tx, User caller, String text) {
    Map<String, Target> out = new LinkedHashMap<>();
    List<Target> installed = new ArrayList<>();
    for (Install i : tx.store(PlatformStore.class).liveInstallsOf(caller.id())) {
      App app = tx.store(AppStore.class).app(i.appId()).orElseThrow();
      tx.store(PlatformStore.class)
          .registration(app.id())
          .filter(r -> r.eventListenerUrl() != null)
          .ifPresent(r -> installed.add(new Target(app, r)));
    }
    Set<Long> used = new java.util.HashSet<>();
    Matcher m = URL_IN_TEXT.matcher(text);
    while (m.find() && out.size() < MAX_PREVIEWS) {
      String url = m.group();
      for (Target t : installed) {
        if (!used.contains(t.app().id())
            && !out.containsKey(url)
            && t.registration().urlPatterns().stream().anyMatch(p -> matches(p, url))) {
          used.add(t.app().id());
          out.put(url, t);
        }
      }
    }
    return out;
  }

  /** The attachment a preview answer carries, if it is one; anything else adds nothing. */
  private static Optional<Attachment> preview(Delivered delivered, long appId) {
    if (!(delivered.outcome() instanceof Outcome.Succeeded s) || s.answer() == null) {
      return Optional.empty();
    }
    Validation v = new Validation();
    Attachment a = PlatformJson.attachment(s.answer().get("attachment"), "attachment", appId, v);
    return v.ok() ? Optional.of(a) : Optional.empty();
  }

  /** A message the caller can see: in a flow they belong to, or sent by or to them. */
  public ChatMessage message(User caller, long messageId) {
    ChatMessage m =
        store
            .read(tx -> tx.store(PlatformStore.class).chatMessage(messageId))
            .filter(x -> x.workspaceId() == caller.workspaceId())
            .orElseThrow(() -> new Problem.NotFound("message " + messageId));
    long flow = PlatformIds.parse(m.chat(), "g:");
    boolean visible =
        flow >= 0
            ? caller.reaches(flow)
                && store.read(tx -> tx.store(WorkspaceStore.class).isMember(flow, caller.id()))
            : reachesDirectChats(caller)
                && (m.fromUserId() == caller.id()
                    || m.chat().equals(PlatformIds.user(caller.id())));
    if (!visible) {
      throw new Problem.NotFound("message " + messageId);
    }
    return m;
  }

  public Page<ChatMessage> flowMessages(User caller, long flowId, PageRequest page) {
    directory.memberFlow(caller, flowId);
    return page.page(
        store.read(
            tx ->
                tx.store(PlatformStore.class)
                    .chatMessages(caller.workspaceId(), PlatformIds.flow(flowId), page)),
        ChatMessage::id);
  }

  // ---- apps acting for people

  /**
   * {@code chat.sendMessage}: the app, with an install token, sends {@code text} and {@code
   * attachments} to {@code to} (a flow the person belongs to, or a person) as that person.
   */
  public ChatMessage sendMessage(String installToken, JsonNode body) {
    Install install = installForToken(installToken);
    User person =
        store.read(tx -> tx.store(WorkspaceStore.class).user(install.userId())).orElseThrow();
    return send(person, install.appId(), body);
  }

  /**
   * {@code chat.sendMessage} for an app acting through a person's OAuth grant: as with an install
   * token, as {@code caller}, from the grant's app.
   *
   * @throws Problem.Forbidden unless the caller is an app whose grant has chat:write
   */
  public ChatMessage sendMessage(User caller, JsonNode body) {
    Delegation grant = caller.delegation();
    if (grant == null || !grant.allows(Scope.CHAT_WRITE)) {
      throw new Problem.Forbidden(
          "the app's access token does not have the scope " + Scope.CHAT_WRITE.wire(),
          Map.of("scope", List.of("requires " + Scope.CHAT_WRITE.wire())));
    }
    return send(caller, grant.appId(), body);
  }

  private ChatMessage send(User person, long appId, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw Problem.Invalid.of("body", "must be a JSON object");
    }
    Validation v = new Validation();
    String to = PlatformJson.text(body, "to", "", v);
    v.required("to", to);
    String text = PlatformJson.text(body, "text", "", v);
    v.maxLength("text", text, MAX_TEXT);
    List<Attachment> attachments =
        PlatformJson.attachments(body.get("attachments"), "attachments", appId, v);
    if ((text == null || text.isBlank()) && attachments.isEmpty()) {
      v.add("text", "is required when there are no attachments");
    }
    v.throwIfInvalid();
    Chat chat = chat(person, to, "to");
    return store.transaction(
        tx ->
            tx.store(PlatformStore.class)
                .insertChatMessage(
                    person.workspaceId(),
                    person.id(),
                    appId,
                    chat.id(),
                    text == null ? "" : text,
                    attachments,
                    clock.instant()));
  }

  private Install installForToken(String token) {
    if (token == null || token.isBlank()) {
      throw new Problem.Unauthorized("token is required");
    }
    // An app cannot act for someone who has been deactivated; the answer is an unknown token's.
    return store
        .read(
            tx ->
                tx.store(PlatformStore.class)
                    .installByTokenHash(Tokens.hash(token.strip()))
                    .filter(
                        i ->
                            tx.store(WorkspaceStore.class)
                                .user(i.userId())
                                .filter(User::isActive)
                                .isPresent()))
        .orElseThrow(() -> new Problem.Unauthorized("token is not valid"));
  }

  // ---- the path every event takes

  private record Target(App app, Registration registration) {}

  private record Chat(String id, String name) {}

  /** An app of the caller's workspace with a registration; any other does not exist for them. */
  private Target target(User caller, long appId) {
    return store.read(
        tx ->
            tx.store(AppStore.class)
                .app(appId)
                .filter(a -> a.workspaceId() == caller.workspaceId())
                .flatMap(
                    a ->
                        tx.store(PlatformStore.class)
                            .registration(appId)
                            .map(r -> new Target(a, r)))
                .orElseThrow(() -> new Problem.NotFound("app " + appId)));
  }

  /** As {@link #target}, for an app the caller has installed. */
  private Target installedTarget(User caller, long appId) {
    Target t = target(caller, appId);
    store.read(tx -> requireInstall(tx, caller, appId));
    return t;
  }

  private static Install requireInstall(Tx tx, User caller, long appId) {
    return tx.store(PlatformStore.class)
        .liveInstall(appId, caller.id())
        .orElseThrow(() -> new Problem.Forbidden("app " + appId + " is not installed"));
  }

  private static Control control(Target t, Control.Kind kind, String name) {
    return t.registration().controls().stream()
        .filter(c -> c.kind() == kind && (name == null || name.equals(c.name())))
        .findFirst()
        .orElseThrow(() -> new Problem.NotFound(kind.wire() + (name == null ? "" : " " + name)));
  }

  private Chat chat(User caller, String chat, String field) {
    if (chat == null || chat.isBlank()) {
      throw Problem.Invalid.of(field, "is required: g:<flow id> or u:<user id>");
    }
    long flow = PlatformIds.parse(chat, "g:");
    if (flow >= 0) {
      Flow f = directory.memberFlow(caller, flow);
      return new Chat(chat, f.name());
    }
    long user = PlatformIds.parse(chat, "u:");
    if (user >= 0) {
      if (!reachesDirectChats(caller)) {
        throw new Problem.NotFound("user " + user);
      }
      return new Chat(chat, directory.userInWorkspace(caller, user).name());
    }
    throw Problem.Invalid.of(field, "must be g:<flow id> or u:<user id>");
  }

  /** A message's chat as the caller sees it: its flow, or the other person of a direct chat. */
  private Chat chatOf(User caller, ChatMessage m) {
    long to = PlatformIds.parse(m.chat(), "u:");
    if (to == caller.id()) {
      return chat(caller, PlatformIds.user(m.fromUserId()), "chat");
    }
    if (m.chat().startsWith("b:")) {
      return new Chat(m.chat(), target(caller, m.appId()).app().name());
    }
    return chat(caller, m.chat(), "chat");
  }

  /**
   * Whether the caller reaches direct chats (with people and bots): a person does, and so does an
   * app acting for them unless its grant names one flow, which is then all it reaches.
   */
  private static boolean reachesDirectChats(User caller) {
    return caller.delegation() == null || caller.delegation().flowId() == null;
  }

  private static ObjectNode event(String name, User person) {
    return Json.MAPPER
        .createObjectNode()
        .put("name", name)
        .put("userId", PlatformIds.user(person.id()));
  }

  private static ObjectNode clientEvent(String name, User person, Chat chat) {
    return event(name, person)
        .put("userName", person.name())
        .put("chat", chat.id())
        .put("chatName", chat.name());
  }

  /** Runs a client action: to the listener (now, or queued), or a URL for the client to open. */
  private ClientResult use(
      User caller,
      Target t,
      ClientAction action,
      ObjectNode event,
      String client,
      boolean interactive) {
    String c = client == null ? "desktop" : client;
    if (!CLIENTS.contains(c)) {
      throw Problem.Invalid.of("client", "must be one of desktop, ios, android");
    }
    switch (action.type()) {
      case OPEN_WIDGET -> {
        String type = action.widgetType(c);
        return new ClientResult.Open(openUrl(t.app(), action.url(), event, caller, c, type), type);
      }
      case OPEN_BROWSER -> {
        String url =
            action.sendContext()
                ? openUrl(t.app(), action.url(), event, caller, c, null)
                : action.url();
        return new ClientResult.Open(url, null);
      }
      case SEND_EVENT -> {
        if (!interactive) {
          long id = store.transaction(tx -> queue(tx, caller, t, event)).id();
          return new ClientResult.Queued(id);
        }
        Delivered d = engine.callNow(call(caller, t, event));
        String text =
            d.outcome() instanceof Outcome.Succeeded s && s.answer() != null
                ? s.answer().path("text").asText(null)
                : null;
        return new ClientResult.Answered(d.outcome(), text, d.delivery().id());
      }
    }
    throw new IllegalStateException("unknown client action " + action.type());
  }

  /** A background event, written in the caller's transaction (the outbox). */
  private Delivery queue(Tx tx, User person, Target t, ObjectNode event) {
    return outbox.enqueue(tx, call(person, t, event));
  }

  /** An event for the app's listener, made for {@code person}. */
  private static NewDelivery call(User person, Target t, ObjectNode event) {
    String listener = t.registration().eventListenerUrl();
    if (listener == null) {
      throw new Problem.Conflict("app " + t.app().id() + " has no event listener URL");
    }
    return new NewDelivery(
        person.workspaceId(),
        t.app().id(),
        Contract.FLOCK,
        event.get("name").asText(),
        "POST",
        listener,
        person.id(),
        Json.bytes(event));
  }

  /**
   * The widget or browser URL with the event in its query ({@code flockWidgetType} only for a
   * widget). Only client events are ever put in a URL; nothing is sent to the app.
   */
  private String openUrl(
      App app, String url, ObjectNode event, User person, String client, String widgetType) {
    if (!event.get("name").asText().startsWith("client.")) {
      throw new IllegalStateException("only client.* events may go to a widget or browser URL");
    }
    // The current secret, never a pending one: an app that knows one secret keeps verifying
    // these tokens until the new one is activated.
    AppSecret secret =
        store.read(
            tx -> AppSecret.of(box.open(tx.store(AppStore.class).appSecretCiphertext(app.id()))));
    Instant now = clock.instant();
    String token =
        EventToken.sign(
            secret, app.clientId(), PlatformIds.user(person.id()), now, Outbox.newMessageId(now));
    int hash = url.indexOf('#');
    String base = hash < 0 ? url : url.substring(0, hash);
    StringBuilder out = new StringBuilder(base);
    out.append(base.contains("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?");
    out.append("flockEvent=").append(encode(Json.write(event)));
    out.append("&flockEventToken=").append(encode(token));
    out.append("&flockClient=").append(encode(client));
    if (widgetType != null) {
      out.append("&flockWidgetType=").append(encode(widgetType));
    }
    return out.append(hash < 0 ? "" : url.substring(hash)).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void requireText(String text) {
    Validation v = new Validation();
    if (v.required("text", text)) {
      v.maxLength("text", text, MAX_TEXT);
    }
    v.throwIfInvalid();
  }
}
