package org.backchannel.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What reaches a page from a person or an app cannot run script there. */
final class SafeHtmlTest {
  @Test
  void templatesEscapeTextAndAttributes() {
    String page =
        Render.html(Guard.message("<b a=\"1\" b='2'>&</b>", "<img src=x onerror=alert(1)>"));
    assertThat(page)
        .contains("<h1>&lt;b a=")
        .contains("&amp;&lt;/b")
        .contains("&lt;img src=x onerror=alert(1)")
        .doesNotContain("<b a=")
        .doesNotContain("<img");
  }

  @Test
  void noTemplateWritesUnescapedText() throws Exception {
    // Raw HTML has one way into a page, SafeHtml, made only by a sanitiser.
    try (Stream<Path> files = Files.walk(Path.of("src/main/jte"))) {
      List<Path> templates = files.filter(p -> p.toString().endsWith(".jte")).toList();
      assertThat(templates).isNotEmpty();
      for (Path p : templates) {
        assertThat(Files.readString(p)).as(p.toString()).doesNotContain("$unsafe");
      }
    }
  }

  @Test
  void appHtmlKeepsFormattingAndDropsScript() {
    String clean =
        SafeHtml.appHtml(
                "<p onclick=\"x()\">Hi <b>there</b><script>alert(1)</script>"
                    + "<a href=\"javascript:alert(1)\">bad</a> <a href=\"https://example.com\">ok</a></p>")
            .toString();
    assertThat(clean).contains("<b>there</b>").contains("https://example.com");
    assertThat(clean)
        .doesNotContain("script")
        .doesNotContain("onclick")
        .doesNotContain("javascript");
    assertThat(clean)
        .containsPattern("rel=\"(noopener noreferrer|noreferrer noopener)\""); // either order
  }

  /**
   * The chat page used to sanitise FlockML with a narrower copy of the policy, which dropped the
   * attributes of {@code <user>} and all of {@code <action>} but its id, type and url. Now the one
   * policy in core sanitises it, and the page keeps the narrower result: a mention and an action
   * reach the page as elements of ours with none of the app's attributes.
   */
  @Test
  void flockmlKeepsItsTextAndActionsAndNoneOfTheAppsAttributes() {
    List<String> actions = new ArrayList<>();
    String html =
        SafeHtml.flockml(
                "<flockml>Hi <user userid=\"u:42\">Ann</user>, <b>see</b>"
                    + " <action id=\"run-1\" type=\"openWidget\" url=\"https://w.example.com/x\""
                    + " desktoptype=\"modal\" sendcontext=\"true\">Run</action>"
                    + " <action type=\"sendEvent\">No id</action>"
                    + "<script>alert(1)</script><img src=x onerror=alert(1)>"
                    + "<a href=\"javascript:alert(1)\">bad</a></flockml>",
                "fa-7-0",
                actions)
            .toString();
    assertThat(html)
        .contains("Hi <span class=\"mention\">Ann</span>, <b>see</b>")
        .contains("<button type=\"submit\" class=\"inline\" form=\"fa-7-0-0\">Run</button>")
        .contains("<button type=\"button\" class=\"inline\" disabled>No id</button>");
    assertThat(actions).containsExactly("run-1");
    assertThat(html)
        .doesNotContain("userid")
        .doesNotContain("desktoptype")
        .doesNotContain("sendcontext")
        .doesNotContain("w.example.com")
        .doesNotContain("script")
        .doesNotContain("onerror")
        .doesNotContain("javascript")
        .doesNotContain("<flockml>");
  }

  @Test
  void onlyHttpLinksFromAppsAreKept() {
    assertThat(Pages.url("https://example.com/a?b=1&c=\""))
        .isEqualTo("https://example.com/a?b=1&c=\"");
    assertThat(Pages.url("javascript:alert(1)")).isEmpty();
    assertThat(Pages.url("data:text/html,<x>")).isEmpty();
    assertThat(Pages.url(null)).isEmpty();
  }
}
