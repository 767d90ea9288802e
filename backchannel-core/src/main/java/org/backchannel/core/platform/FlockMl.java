package org.backchannel.core.platform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * FlockML, the rich text apps put in attachments, kept as HTML that clients may render: only
 * FlockML's own elements survive (text styles, links, line breaks, user mentions and actions), with
 * only their own attributes; links are http, https or mailto. Everything else is dropped by the
 * OWASP sanitiser, which also writes the output in one normal form that {@link #action} reads. This
 * is the one FlockML policy: applied when an app sends FlockML, and again when a page shows it.
 */
public final class FlockMl {
  private static final Pattern WIDGET_TYPE = Pattern.compile("modal|sidebar|attachment");
  private static final Pattern ACTION_TYPE = Pattern.compile("sendEvent|openWidget|openBrowser");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern HTTP_URL =
      Pattern.compile("https?://\\S+", Pattern.CASE_INSENSITIVE);

  private static final PolicyFactory POLICY =
      new HtmlPolicyBuilder()
          .allowElements("flockml", "b", "strong", "i", "em", "u", "br", "a", "user", "action")
          .allowUrlProtocols("http", "https", "mailto")
          .allowAttributes("href")
          .onElements("a")
          .requireRelsOnLinks("noopener", "noreferrer")
          .allowAttributes("userid")
          .matching(ID)
          .onElements("user")
          .allowAttributes("id")
          .matching(ID)
          .onElements("action")
          .allowAttributes("type")
          .matching(ACTION_TYPE)
          .onElements("action")
          .allowAttributes("url")
          .matching(HTTP_URL)
          .onElements("action")
          .allowAttributes("desktoptype", "mobiletype")
          .matching(WIDGET_TYPE)
          .onElements("action")
          .allowAttributes("sendcontext")
          .matching(Pattern.compile("true|false"))
          .onElements("action")
          .toFactory();

  private static final Pattern ACTION = Pattern.compile("<action\\b([^>]*)>");
  private static final Pattern ATTRIBUTE = Pattern.compile("([a-z]+)=\"([^\"]*)\"");
  private static final Pattern ENTITY =
      Pattern.compile("&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);");

  private FlockMl() {}

  public static String sanitise(String flockml) {
    return POLICY.sanitize(flockml);
  }

  /** The action with id {@code id} in sanitised FlockML, as the client would run it. */
  static Optional<ClientAction> action(String sanitised, String id) {
    if (sanitised == null) {
      return Optional.empty();
    }
    Matcher m = ACTION.matcher(sanitised);
    while (m.find()) {
      Map<String, String> attributes = new LinkedHashMap<>();
      Matcher a = ATTRIBUTE.matcher(m.group(1));
      while (a.find()) {
        attributes.put(a.group(1), unescape(a.group(2)));
      }
      if (!id.equals(attributes.get("id"))) {
        continue;
      }
      ClientAction.Type type = ClientAction.Type.of(attributes.getOrDefault("type", "sendEvent"));
      String url = attributes.get("url");
      if (type != ClientAction.Type.SEND_EVENT && url == null
          || type == ClientAction.Type.OPEN_WIDGET && attributes.get("desktoptype") == null) {
        return Optional.empty();
      }
      return Optional.of(
          new ClientAction(
              type,
              type == ClientAction.Type.SEND_EVENT ? null : url,
              attributes.get("desktoptype"),
              attributes.get("mobiletype"),
              "true".equals(attributes.get("sendcontext"))));
    }
    return Optional.empty();
  }

  private static String unescape(String s) {
    Matcher m = ENTITY.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String e = m.group(1);
      String r =
          switch (e) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos" -> "'";
            default ->
                Character.toString(
                    e.startsWith("#x")
                        ? Integer.parseInt(e.substring(2), 16)
                        : Integer.parseInt(e.substring(1)));
          };
      m.appendReplacement(out, Matcher.quoteReplacement(r));
    }
    m.appendTail(out);
    return out.toString();
  }
}
