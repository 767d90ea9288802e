package org.backchannel.server.web;

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

/**
 * What a flow's chat shows (templates {@code chat.jte}, {@code chatMessages.jte} and the
 * overlay's): messages with their apps' attachments, the composer, the apps a person can install,
 * and what using an app gave (a toast, an open widget); and the origins the page may frame.
 */
final class ChatPages {
  /** Widgets run the app's code, so they get scripts and forms but never our origin. */
  static final String SANDBOX = "allow-scripts allow-forms";

  private static final Pattern ACTION_OPEN = Pattern.compile("<action\\b([^>]*)>");
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
      Session session,
      List<Flow> flows,
      Flow flow,
      List<InstallableApp> apps,
      List<ChatMessage> messages,
      Map<Long, String> people,
      String version,
      Overlay overlay) {}

  /** An installed app's control shown as a button above the messages. */
  record AppControl(InstallableApp app, Control control) {}

  /** A piece of a message's text: plain, or a link to itself. */
  record Segment(String text, boolean link) {}

  /** The slash commands of the apps the person installed, as typed (without the slash). */
  static List<String> commands(List<InstallableApp> apps) {
    List<String> out = new ArrayList<>();
    for (InstallableApp a : apps) {
      if (a.installed()) {
        for (Control c : a.registration().controls()) {
          if (c.kind() == Control.Kind.SLASH_COMMAND) {
            out.add(c.name());
          }
        }
      }
    }
    return out;
  }

  /** The button controls of the apps the person installed. */
  static List<AppControl> buttons(List<InstallableApp> apps) {
    List<AppControl> out = new ArrayList<>();
    for (InstallableApp a : apps) {
      if (a.installed()) {
        for (Control c : a.registration().controls()) {
          if (c.kind().button()) {
            out.add(new AppControl(a, c));
          }
        }
      }
    }
    return out;
  }

  /** Text cut where its http(s) URLs are, so the template can link them. */
  static List<Segment> linked(String text) {
    Matcher m = URL_IN_TEXT.matcher(text);
    List<Segment> out = new ArrayList<>();
    int at = 0;
    while (m.find()) {
      if (m.start() > at) {
        out.add(new Segment(text.substring(at, m.start()), false));
      }
      out.add(new Segment(m.group(), true));
      at = m.end();
    }
    if (at < text.length()) {
      out.add(new Segment(text.substring(at), false));
    }
    return out;
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

  static String appName(List<InstallableApp> apps, long id) {
    return apps.stream()
        .filter(a -> a.app().id() == id)
        .map(a -> a.app().name())
        .findFirst()
        .orElse("an app");
  }
}
