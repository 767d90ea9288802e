package org.backchannel.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What reaches a page from a person or an app cannot run script there. */
final class HtmlTest {
  @Test
  void textAndAttributesAreEscaped() {
    assertThat(Html.esc("<b a=\"1\" b='2'>&</b>"))
        .isEqualTo("&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;&lt;/b&gt;");
    assertThat(Html.esc(null)).isEmpty();
  }

  @Test
  void appHtmlKeepsFormattingAndDropsScript() {
    String clean =
        Html.appHtml(
            "<p onclick=\"x()\">Hi <b>there</b><script>alert(1)</script>"
                + "<a href=\"javascript:alert(1)\">bad</a> <a href=\"https://example.com\">ok</a></p>");
    assertThat(clean).contains("<b>there</b>").contains("https://example.com");
    assertThat(clean)
        .doesNotContain("script")
        .doesNotContain("onclick")
        .doesNotContain("javascript");
    assertThat(clean)
        .containsPattern("rel=\"(noopener noreferrer|noreferrer noopener)\""); // either order
  }

  @Test
  void onlyHttpLinksFromAppsAreKept() {
    assertThat(Html.url("https://example.com/a?b=1&c=\""))
        .isEqualTo("https://example.com/a?b=1&amp;c=&quot;");
    assertThat(Html.url("javascript:alert(1)")).isEmpty();
    assertThat(Html.url("data:text/html,<x>")).isEmpty();
    assertThat(Html.url(null)).isEmpty();
  }
}
