package org.backchannel.server.web;

import static org.backchannel.server.web.Html.esc;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.platform.Attachment;
import org.backchannel.core.platform.ChatMessage;
import org.backchannel.core.platform.ClientAction;
import org.backchannel.core.platform.Control;
import org.backchannel.core.platform.InstallableApp;
import org.backchannel.core.workspace.Flow;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * The HTML of a flow's chat: messages with their apps' attachments, the composer, the apps a person
 * can install, and what using an app gave (a toast, an open widget). Every value from a person or
 * an app is escaped or sanitised here.
 */
final class ChatPages {
  /** Widgets run the app's code, so they get scripts and forms but never our origin. */
  static final String SANDBOX = "allow-scripts allow-forms";

  // Stored FlockML was sanitised when the app sent it; this narrower pass keeps what we render.
  private static final PolicyFactory FLOCKML =
      new HtmlPolicyBuilder()
          .allowElements("flockml", "b", "strong", "i", "em", "u", "br", "a", "user", "action")
          .allowUrlProtocols("http", "https", "mailto")
          .allowAttributes("href")
          .onElements("a")
          .requireRelsOnLinks("noopener", "noreferrer")
          .allowAttributes("id")
          .matching(Pattern.compile("[A-Za-z0-9._:-]{1,64}"))
          .onElements("action")
          .allowAttributes("type")
          .matching(Pattern.compile("sendEvent|openWidget|openBrowser"))
          .onElements("action")
          .allowAttributes("url")
          .matching(Pattern.compile("https?://\\S+", Pattern.CASE_INSENSITIVE))
          .onElements("action")
          .toFactory();
  private static final Pattern ACTION_OPEN = Pattern.compile("<action\\b([^>]*)>");
  private static final Pattern ID_ATTRIBUTE = Pattern.compile("\\bid=\"([^\"]*)\"");
  private static final Pattern URL_ATTRIBUTE = Pattern.compile("\\burl=\"([^\"]*)\"");
  private static final Pattern URL_IN_TEXT = Pattern.compile("https?://[^\\s<>\"]+");

  private ChatPages() {}

  /** A short message for the person who acted, shown as a toast; {@code link} may be null. */
  record Notice(String from, String text, boolean failed, String link) {}

  /** An app's widget to open: its URL carries the signed event. */
  record Widget(String appName, String url, String type) {}

  /** What acting gave: a notice, a widget to open, or both null. */
  record Overlay(Notice notice, Widget widget) {
    static Overlay notice(String from, String text) {
      return new Overlay(new Notice(from, text, false, null), null);
    }

    static Overlay failed(String from, String text) {
      return new Overlay(new Notice(from, text, true, null), null);
    }
  }

  /** Everything a chat page shows. Messages are newest first, as they are read. */
  record View(
      Web.Session session,
      List<Flow> flows,
      Flow flow,
      List<InstallableApp> apps,
      List<ChatMessage> messages,
      Map<Long, String> people,
      String version,
      Overlay overlay) {}

  static String chat(View v) {
    long flowId = v.flow().id();
    StringBuilder nav = new StringBuilder();
    for (Flow f : v.flows()) {
      nav.append("<li><a href=\"/ui/flows/")
          .append(f.id())
          .append("/chat\"")
          .append(f.id() == flowId ? " aria-current=\"page\"" : "")
          .append('>')
          .append(esc(f.name()))
          .append("</a></li>");
    }
    List<String> commands = new ArrayList<>();
    StringBuilder tools = new StringBuilder();
    for (InstallableApp a : v.apps()) {
      if (!a.installed()) {
        continue;
      }
      for (Control c : a.registration().controls()) {
        if (c.kind() == Control.Kind.SLASH_COMMAND) {
          commands.add("<code>/" + esc(c.name()) + "</code>");
        } else if (c.kind().button()) {
          tools.append(
              form(
                  v.session(),
                  "/ui/flows/%d/chat/apps/%d/buttons/%s"
                      .formatted(flowId, a.app().id(), c.kind().wire()),
                  "<button type=\"submit\" class=\"secondary\" title=\"%s\">%s</button>"
                      .formatted(esc(a.app().name()), esc(c.name()))));
        }
      }
    }
    String hint =
        commands.isEmpty()
            ? "Install an app to use its commands."
            : "Type a command to use an app: " + String.join(", ", commands) + ".";
    return """
        <div class="chat-page">
          <nav class="flows" aria-label="Flows"><h2>Flows</h2><ul>%s</ul></nav>
          <section class="chat" aria-labelledby="chat-title">
            <div class="chat-head">
              <h1 id="chat-title">%s</h1>
              <a href="/ui/flows/%d">Threads</a>
              %s
            </div>
            <div id="chat-messages" class="chat-messages" role="region" aria-label="Messages" tabindex="0" data-src="/ui/flows/%d/chat/messages" data-events="/ui/flows/%d/chat/events" data-version="%s" data-frame-origins="%s">%s</div>
            <p id="chat-announce" class="sr-only" aria-live="polite"></p>
            <form class="composer chat-act" method="post" action="/ui/flows/%d/chat">
              <input type="hidden" name="csrf" value="%s">
              <label for="composer-text">Message</label>
              <div class="composer-row">
                <input id="composer-text" name="text" type="text" required maxlength="4000" autocomplete="off" aria-describedby="composer-hint">
                <button type="submit">Send</button>
              </div>
              <p id="composer-hint" class="hint">%s</p>
            </form>
          </section>
          <aside class="chat-apps" aria-labelledby="apps-title"><h2 id="apps-title">Apps</h2>%s</aside>
        </div>
        <div id="toasts" class="toasts" role="status" aria-live="polite">%s</div>
        <div id="widgets">%s</div>
        """
        .formatted(
            nav,
            esc(v.flow().name()),
            flowId,
            tools.isEmpty()
                ? ""
                : "<div class=\"chat-tools\" role=\"group\" aria-label=\"App buttons\">"
                    + tools
                    + "</div>",
            flowId,
            flowId,
            esc(v.version()),
            esc(String.join(" ", frameOrigins(v.apps(), v.messages(), v.overlay()))),
            messages(v.session(), flowId, v.messages(), v.people(), v.apps()),
            flowId,
            esc(v.session().csrf()),
            hint,
            apps(v.session(), flowId, v.apps()),
            v.overlay() == null ? "" : notice(v.overlay().notice()),
            v.overlay() == null ? "" : widget(v.overlay().widget()));
  }

  /** The toast and widget of an overlay alone, for a page that asked in the background. */
  static String overlay(Overlay o) {
    return o == null ? "" : notice(o.notice()) + widget(o.widget());
  }

  private static String apps(Web.Session s, long flowId, List<InstallableApp> apps) {
    if (apps.isEmpty()) {
      return "<p class=\"empty\">No apps yet. An admin can register one.</p>";
    }
    StringBuilder out = new StringBuilder("<ul>");
    for (InstallableApp a : apps) {
      String base = "/ui/flows/%d/chat/apps/%d/".formatted(flowId, a.app().id());
      out.append("<li class=\"chat-app\"><span class=\"name\">")
          .append(esc(a.app().name()))
          .append("</span>")
          .append(a.installed() ? " <span class=\"installed\">installed</span>" : "")
          .append(
              form(
                  s,
                  base + (a.installed() ? "uninstall" : "install"),
                  "<button type=\"submit\" class=\"%s\" aria-label=\"%s %s\">%s</button>"
                      .formatted(
                          a.installed() ? "secondary" : "",
                          a.installed() ? "Remove" : "Install",
                          esc(a.app().name()),
                          a.installed() ? "Remove" : "Install"),
                  false))
          .append("</li>");
    }
    return out.append("</ul>").toString();
  }

  static String messages(
      Web.Session s,
      long flowId,
      List<ChatMessage> newestFirst,
      Map<Long, String> people,
      List<InstallableApp> apps) {
    if (newestFirst.isEmpty()) {
      return "<p class=\"empty\">No messages yet. Say hello.</p>";
    }
    StringBuilder out = new StringBuilder("<ol>");
    for (ChatMessage m : newestFirst.reversed()) {
      out.append("<li class=\"chat-message\" id=\"message-")
          .append(m.id())
          .append("\"><div class=\"meta\"><span class=\"author\">")
          .append(esc(people.getOrDefault(m.fromUserId(), "someone")))
          .append("</span>");
      if (m.appId() != null) {
        out.append(" <span class=\"via\">via ")
            .append(esc(appName(apps, m.appId())))
            .append("</span>");
      }
      out.append(" <time datetime=\"")
          .append(m.createdAt())
          .append("\">")
          .append(Pages.time(m.createdAt()))
          .append("</time></div>");
      if (!m.text().isEmpty()) {
        out.append("<p class=\"text\">").append(linked(m.text())).append("</p>");
      }
      for (int i = 0; i < m.attachments().size(); i++) {
        out.append(attachment(s, flowId, m, i, apps));
      }
      out.append("</li>");
    }
    return out.append("</ol>").toString();
  }

  private static String attachment(
      Web.Session s, long flowId, ChatMessage m, int index, List<InstallableApp> apps) {
    Attachment a = m.attachments().get(index);
    String app = appName(apps, a.appId());
    StringBuilder out = new StringBuilder("<div class=\"attachment\">");
    if (a.title() != null) {
      out.append("<p class=\"title\">").append(esc(a.title())).append("</p>");
    }
    if (a.description() != null) {
      out.append("<p class=\"description\">").append(esc(a.description())).append("</p>");
    }
    if (a.widget() != null && !Html.url(a.widget().src()).isEmpty()) {
      out.append(
          "<iframe class=\"attachment-widget\" src=\"%s\" width=\"%d\" height=\"%d\" sandbox=\"%s\" title=\"%s\" loading=\"lazy\" referrerpolicy=\"no-referrer\"></iframe>"
              .formatted(
                  Html.url(a.widget().src()),
                  a.widget().width(),
                  a.widget().height(),
                  SANDBOX,
                  esc("Widget of " + app + (a.title() == null ? "" : ": " + a.title()))));
    }
    String prefix = "fa-" + m.id() + "-" + index;
    List<String> actionIds = new ArrayList<>();
    if (a.flockml() != null) {
      out.append("<div class=\"flockml\">")
          .append(flockml(a.flockml(), prefix, actionIds))
          .append("</div>");
    }
    String base = "/ui/flows/%d/chat/messages/%d/".formatted(flowId, m.id());
    if (!a.buttons().isEmpty()) {
      out.append("<div class=\"buttons\">");
      for (Attachment.Button b : a.buttons()) {
        out.append(
            form(
                s,
                base + "buttons/" + esc(b.id()),
                "<button type=\"submit\" class=\"secondary\">" + esc(b.name()) + "</button>"));
      }
      out.append("</div>");
    }
    for (int i = 0; i < actionIds.size(); i++) {
      out.append("<form id=\"")
          .append(prefix)
          .append('-')
          .append(i)
          .append("\" class=\"chat-act\" method=\"post\" action=\"")
          .append(base)
          .append("flockml-actions/")
          .append(esc(actionIds.get(i)))
          .append("\" hidden><input type=\"hidden\" name=\"csrf\" value=\"")
          .append(esc(s.csrf()))
          .append("\"></form>");
    }
    return out.append("</div>").toString();
  }

  /**
   * FlockML as HTML: {@code <action>} becomes a button of a form of its own (named {@code
   * prefix-n}, its id added to {@code actionIds}), {@code <user>} a mention.
   */
  static String flockml(String stored, String prefix, List<String> actionIds) {
    String html =
        FLOCKML
            .sanitize(stored)
            .replace("<flockml>", "")
            .replace("</flockml>", "")
            .replace("</action>", "</button>")
            .replaceAll("<user\\b[^>]*>", "<span class=\"mention\">")
            .replace("</user>", "</span>");
    Matcher m = ACTION_OPEN.matcher(html);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Matcher id = ID_ATTRIBUTE.matcher(m.group(1));
      String button;
      if (id.find()) {
        button =
            "<button type=\"submit\" class=\"inline\" form=\"%s-%d\">"
                .formatted(prefix, actionIds.size());
        actionIds.add(id.group(1));
      } else {
        button = "<button type=\"button\" class=\"inline\" disabled>";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(button));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Text with its http(s) URLs as links, everything escaped. */
  static String linked(String text) {
    Matcher m = URL_IN_TEXT.matcher(text);
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (m.find()) {
      out.append(esc(text.substring(at, m.start())))
          .append("<a href=\"")
          .append(esc(m.group()))
          .append("\" rel=\"noopener noreferrer\" target=\"_blank\">")
          .append(esc(m.group()))
          .append("</a>");
      at = m.end();
    }
    return out.append(esc(text.substring(at))).toString();
  }

  private static String notice(Notice n) {
    if (n == null) {
      return "";
    }
    return "<p class=\"toast%s\"><span class=\"from\">%s</span> <span class=\"text\">%s</span>%s <button type=\"button\" class=\"dismiss\" aria-label=\"Dismiss\">×</button></p>"
        .formatted(
            n.failed() ? " failed" : "",
            esc(n.from()),
            esc(n.text()),
            n.link() == null || Html.url(n.link()).isEmpty()
                ? ""
                : " <a href=\"%s\" rel=\"noopener noreferrer\" target=\"_blank\">Open it</a>"
                    .formatted(Html.url(n.link())));
  }

  private static String widget(Widget w) {
    if (w == null || Html.url(w.url()).isEmpty()) {
      return "";
    }
    String type = "sidebar".equals(w.type()) ? "sidebar" : "modal";
    return """
        <dialog class="widget widget-%s" open aria-labelledby="widget-title">
          <div class="widget-head">
            <h2 id="widget-title">%s</h2>
            <form method="dialog"><button type="submit" class="secondary">Close</button></form>
          </div>
          <iframe src="%s" sandbox="%s" title="%s" referrerpolicy="no-referrer"></iframe>
        </dialog>
        """
        .formatted(
            type, esc(w.appName()), Html.url(w.url()), SANDBOX, esc("Widget of " + w.appName()));
  }

  /**
   * The origins a chat page may frame: where the apps' widget controls live, the widgets and widget
   * buttons of the messages shown, and the widget being opened. Nothing else.
   */
  static Set<String> frameOrigins(
      List<InstallableApp> apps, List<ChatMessage> messages, Overlay overlay) {
    Set<String> out = new TreeSet<>();
    for (InstallableApp a : apps) {
      for (Control c : a.registration().controls()) {
        if (c.action().type() == ClientAction.Type.OPEN_WIDGET) {
          origin(c.action().url(), out);
        }
      }
    }
    for (ChatMessage m : messages) {
      for (Attachment a : m.attachments()) {
        if (a.widget() != null) {
          origin(a.widget().src(), out);
        }
        for (Attachment.Button b : a.buttons()) {
          if (b.action().type() == ClientAction.Type.OPEN_WIDGET) {
            origin(b.action().url(), out);
          }
        }
        if (a.flockml() != null) {
          Matcher action = ACTION_OPEN.matcher(a.flockml());
          while (action.find()) {
            Matcher url = URL_ATTRIBUTE.matcher(action.group(1));
            if (action.group(1).contains("type=\"openWidget\"") && url.find()) {
              origin(url.group(1).replace("&amp;", "&"), out);
            }
          }
        }
      }
    }
    if (overlay != null && overlay.widget() != null) {
      origin(overlay.widget().url(), out);
    }
    return out;
  }

  private static void origin(String url, Set<String> out) {
    if (url == null) {
      return;
    }
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      String host = u.getHost();
      if ((scheme.equals("http") || scheme.equals("https"))
          && host != null
          && host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
        // As browsers write origins: without the scheme's default port.
        int port = u.getPort();
        boolean standard = port == -1 || port == (scheme.equals("http") ? 80 : 443);
        out.add(scheme + "://" + host.toLowerCase(Locale.ROOT) + (standard ? "" : ":" + port));
      }
    } catch (java.net.URISyntaxException e) {
      // Not a URL we can frame: leave it out.
    }
  }

  private static String form(Web.Session s, String action, String button) {
    return form(s, action, button, true);
  }

  /** A form with the session's CSRF token; one acting {@code inPlace} is sent in the background. */
  private static String form(Web.Session s, String action, String button, boolean inPlace) {
    return "<form%s method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">%s</form>"
        .formatted(inPlace ? " class=\"chat-act\"" : "", action, esc(s.csrf()), button);
  }

  static String appName(List<InstallableApp> apps, long id) {
    return apps.stream()
        .filter(a -> a.app().id() == id)
        .map(a -> a.app().name())
        .findFirst()
        .orElse("an app");
  }
}
