package org.backchannel.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The stylesheet's blocks are closed: one unclosed {@code @media} block silently turns every rule
 * after it into a phone-only rule, which no page test notices on a laptop-sized window.
 */
final class StylesheetTest {
  @Test
  void everyBlockIsClosedWhereItBegins() throws IOException {
    String css;
    try (InputStream in = Web.class.getResourceAsStream("/web/app.css")) {
      css = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int depth = 0;
    int line = 1;
    for (char c : css.replaceAll("(?s)/\\*.*?\\*/", "").toCharArray()) {
      if (c == '\n') {
        line++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
      assertThat(depth).as("nesting at line %d", line).isBetween(0, 2);
    }
    assertThat(depth).as("blocks left open at the end").isZero();
  }
}
