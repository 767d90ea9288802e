package org.backchannel.server.web;

import static org.backchannel.server.web.Html.esc;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.delivery.DeliveryCount;

/**
 * A bar chart of deliveries and failures per bucket, drawn on the server as inline SVG, with the
 * same numbers in a table for screen readers and anyone who wants them exact.
 */
final class DeliveryChart {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY_HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final int WIDTH = 720;
  private static final int HEIGHT = 200;
  private static final int LEFT = 36;
  private static final int BOTTOM = 22;
  private static final int TOP = 10;

  private DeliveryChart() {}

  static String render(List<DeliveryCount> buckets) {
    long total = buckets.stream().mapToLong(DeliveryCount::total).sum();
    long failed = buckets.stream().mapToLong(DeliveryCount::failed).sum();
    long max = Math.max(1, buckets.stream().mapToLong(DeliveryCount::total).max().orElse(0));
    int plot = HEIGHT - BOTTOM - TOP;
    double step = (WIDTH - LEFT) / (double) buckets.size();
    double bar = Math.max(1, step * 0.4);
    String label =
        "Deliveries per hour over the last %d hours: %d in all, %d failed."
            .formatted(buckets.size(), total, failed);
    StringBuilder svg = new StringBuilder();
    svg.append(
        """
        <svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">
        <line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>
        <text class="tick" x="%d" y="%d" text-anchor="end">%d</text>
        <text class="tick" x="%d" y="%d" text-anchor="end">0</text>
        """
            .formatted(
                WIDTH,
                HEIGHT,
                esc(label),
                LEFT,
                TOP + plot,
                WIDTH,
                TOP + plot,
                LEFT - 4,
                TOP + 10,
                max,
                LEFT - 4,
                TOP + plot));
    for (int i = 0; i < buckets.size(); i++) {
      DeliveryCount b = buckets.get(i);
      double x = LEFT + i * step + (step - 2 * bar) / 2;
      double h = plot * (double) b.total() / max;
      double hf = plot * (double) b.failed() / max;
      String tip =
          esc(
              "%s: %d deliveries, %d failed"
                  .formatted(HOUR.format(b.start()), b.total(), b.failed()));
      svg.append(
          fmt(
              "<g><title>%s</title><rect class=\"bar-total\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/><rect class=\"bar-failed\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></g>",
              tip, x, TOP + plot - h, bar, h, x + bar, TOP + plot - hf, bar, hf));
      if (i % 6 == 0) {
        svg.append(
            fmt(
                "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>",
                LEFT + i * step, HEIGHT - 6, HOUR.format(b.start())));
      }
    }
    svg.append("</svg>");
    StringBuilder rows = new StringBuilder();
    for (DeliveryCount b : buckets) {
      rows.append(
          "<tr><th scope=\"row\"><time datetime=\"%s\">%s</time></th><td>%d</td><td>%d</td></tr>"
              .formatted(b.start(), DAY_HOUR.format(b.start()), b.total(), b.failed()));
    }
    return """
        <figure class="chart-box" aria-labelledby="chart-caption">
          <figcaption id="chart-caption"><h2>Last 24 hours</h2>
            <p class="legend"><span class="key key-total"></span> deliveries <span class="key key-failed"></span> failed · <span id="chart-totals">%d deliveries, %d failed</span></p>
          </figcaption>
          %s
          <details class="chart-numbers">
            <summary>The numbers</summary>
            <div class="scroll"><table id="chart-table">
              <caption>Deliveries and failures per hour (UTC)</caption>
              <thead><tr><th scope="col">Hour from</th><th scope="col">Deliveries</th><th scope="col">Failed</th></tr></thead>
              <tbody>%s</tbody>
            </table></div>
          </details>
        </figure>
        """
        .formatted(total, failed, svg, rows);
  }

  /** Numbers in SVG attributes always with a dot, whatever the server's locale. */
  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
