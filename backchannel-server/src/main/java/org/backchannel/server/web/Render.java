package org.backchannel.server.web;

import gg.jte.html.HtmlInterceptor;
import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;

/**
 * Renders a page from its template in {@code src/main/jte}. The build compiles each template to a
 * class here ({@code JtenameGenerated}) whose {@code render} takes the template's typed parameters,
 * so a call is checked by the compiler and nothing is looked up, read or compiled at run time.
 * Every value a template writes is escaped for where it lands, unless it is {@link SafeHtml}.
 */
final class Render {
  private Render() {}

  /** A call of one template's generated {@code render}. */
  @FunctionalInterface
  interface Template {
    void render(HtmlTemplateOutput out, HtmlInterceptor interceptor);
  }

  static String html(Template template) {
    StringOutput out = new StringOutput(8192);
    template.render(new OwaspHtmlTemplateOutput(out), null);
    return out.toString();
  }
}
