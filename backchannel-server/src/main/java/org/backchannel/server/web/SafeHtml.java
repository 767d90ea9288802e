package org.backchannel.server.web;

import gg.jte.Content;
import gg.jte.TemplateOutput;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.platform.FlockMl;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * The only HTML a template writes as it is: an app's HTML or FlockML after a sanitiser has kept
 * what its policy allows. Everything else a template writes is escaped. There is no way to make one
 * from a string without a sanitiser, so raw HTML has this one path into a page.
 */
final class SafeHtml implements Content {
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
  private static final Pattern ACTION_OPEN = Pattern.compile("<action\\b([^>]*)>");
  private static final Pattern ID_ATTRIBUTE = Pattern.compile("\\bid=\"([^\"]*)\"");

  private final String html;

  private SafeHtml(String html) {
    this.html = html;
  }

  /** An app's HTML (a thread's body, a field's value), reduced to what {@link #APP_HTML} allows. */
  static SafeHtml appHtml(String html) {
    return new SafeHtml(html == null ? "" : APP_HTML.sanitize(html));
  }

  /**
   * FlockML as HTML, sanitised by FlockML's own policy ({@link FlockMl#sanitise}) when it is shown
   * as well as when it was stored. Only the elements are kept of {@code <user>} and {@code
   * <action>}: a mention becomes a span, an action a button of a form of its own (named {@code
   * prefix-n}, its id added to {@code actionIds}); none of their attributes reach the page.
   */
  static SafeHtml flockml(String stored, String prefix, List<String> actionIds) {
    String html =
        FlockMl.sanitise(stored)
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
        // The prefix is made of numbers by the page; the id is kept apart, in actionIds.
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
    return new SafeHtml(out.toString());
  }

  @Override
  public void writeTo(TemplateOutput output) {
    output.writeContent(html);
  }

  @Override
  public String toString() {
    return html;
  }
}
