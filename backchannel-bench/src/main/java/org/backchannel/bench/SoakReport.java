package org.backchannel.bench;

/**
 * The retention section of docs/BENCHMARKS.md sits between two markers: its method is written by
 * hand and its figures come from {@code bench/run --soak} ({@link Soak} prints them as tables), so
 * {@link Report} keeps it as it is when it rewrites the page.
 */
final class SoakReport {
  static final String BEGIN = "<!-- retention section: bench/run --soak -->";
  static final String END = "<!-- /retention -->";

  private SoakReport() {}

  /** The section as it stands in a page, or "". */
  static String existing(String page) {
    int b = page.indexOf(BEGIN);
    int e = page.indexOf(END);
    return b >= 0 && e > b ? page.substring(b, e + END.length() + 1) : "";
  }

  /** The page with the section replaced, or added at its end. */
  static String withBlock(String page, String block) {
    int b = page.indexOf(BEGIN);
    int e = page.indexOf(END);
    if (b >= 0 && e > b) {
      return page.substring(0, b) + block + page.substring(e + END.length() + 1);
    }
    return page.endsWith("\n") ? page + "\n" + block : page + "\n\n" + block;
  }
}
