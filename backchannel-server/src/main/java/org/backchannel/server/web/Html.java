package org.backchannel.server.web;

import java.util.regex.Pattern;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/** Escaping for server-rendered pages: every value from a person or an app goes through here. */
final class Html {
  // What an app's HTML body may keep: text formatting, lists, code and safe links.
  private static final PolicyFactory APP_HTML =
      new HtmlPolicyBuilder()
          .allowElements(
              "b",
              "strong",
              "i",
              "em",
              "u",
              "s",
              "br",
              "p",
              "ul",
              "ol",
              "li",
              "code",
              "pre",
              "blockquote",
              "a")
          .allowUrlProtocols("http", "https", "mailto")
          .allowAttributes("href")
          .onElements("a")
          .requireRelsOnLinks("noopener", "noreferrer")
          .toFactory();
  private static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s]+");

  private Html() {}

  /** Text and attribute values: {@code & < > " '} become entities. Null becomes empty. */
  static String esc(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** An app's HTML, reduced to what {@link #APP_HTML} allows. */
  static String appHtml(String html) {
    return html == null ? "" : APP_HTML.sanitize(html);
  }

  /** A link target from an app: only http(s), otherwise nothing. */
  static String url(String url) {
    return url != null && HTTP_URL.matcher(url).matches() ? esc(url) : "";
  }
}
