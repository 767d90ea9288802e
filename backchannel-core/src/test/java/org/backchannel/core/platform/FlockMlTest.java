package org.backchannel.core.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** FlockML keeps its own elements and attributes and nothing else; actions read back from it. */
final class FlockMlTest {
  @Test
  void keepsFlockMlsOwnElements() {
    String out =
        FlockMl.sanitise(
            "<flockml><b>bold</b> <i>it</i> <u>u</u><br/><user userid=\"u:42\">Ann</user></flockml>");
    assertThat(out)
        .contains("<b>bold</b>", "<i>it</i>", "<u>u</u>", "<br />", "<user userid=\"u:42\">");
  }

  @Test
  void dropsScriptsHandlersAndForeignLinks() {
    String out =
        FlockMl.sanitise(
            "<flockml><script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>"
                + "<b onclick=\"alert(1)\">b</b><img src=x onerror=alert(1)><div>d</div></flockml>");
    assertThat(out).doesNotContain("script", "javascript", "onclick", "onerror", "<img", "<div");
    assertThat(out).contains("<b>b</b>", "d");
  }

  @Test
  void linksAreHttpHttpsOrMailtoAndOpenWithoutTheirOpener() {
    String out = FlockMl.sanitise("<a href=\"https://example.com/x\">x</a>");
    assertThat(out).contains("href=\"https://example.com/x\"").contains("noopener", "noreferrer");
    assertThat(FlockMl.sanitise("<a href=\"mailto:a@b.c\">m</a>")).contains("href=\"mailto:a");
    assertThat(FlockMl.sanitise("<a href=\"ftp://example.com\">f</a>")).doesNotContain("ftp:");
  }

  @Test
  void readsAnActionBackByItsId() {
    String s =
        FlockMl.sanitise(
            "<action id=\"open\" type=\"openWidget\" url=\"https://app.test/w?a=1&amp;b=2\""
                + " desktoptype=\"modal\" mobiletype=\"sidebar\" sendcontext=\"true\">Open</action>"
                + "<action id=\"ping\">Ping</action>");
    assertThat(FlockMl.action(s, "open"))
        .contains(
            new ClientAction(
                ClientAction.Type.OPEN_WIDGET,
                "https://app.test/w?a=1&b=2",
                "modal",
                "sidebar",
                true));
    assertThat(FlockMl.action(s, "ping")).contains(ClientAction.SEND_EVENT);
    assertThat(FlockMl.action(s, "missing")).isEmpty();
    assertThat(FlockMl.action(null, "open")).isEmpty();
  }

  @Test
  void anActionWithoutWhatItsTypeNeedsIsNone() {
    // A widget needs a URL and a desktop type; a URL that is not http(s) is dropped by the policy.
    String s =
        FlockMl.sanitise(
            "<action id=\"w\" type=\"openWidget\" url=\"https://app.test/\">W</action>"
                + "<action id=\"b\" type=\"openBrowser\" url=\"javascript:x\">B</action>");
    assertThat(FlockMl.action(s, "w")).isEmpty();
    assertThat(FlockMl.action(s, "b")).isEmpty();
  }
}
