package org.backchannel.server.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.delivery.DeliveryCount;

/**
 * A bar chart of deliveries and failures per bucket, drawn on the server as inline SVG by {@code
 * chart.jte}, with the same numbers in a table for screen readers and anyone who wants them exact.
 * Coordinates are worked out here, written with a dot whatever the server's locale.
 */
record DeliveryChart(
    List<DeliveryCount> buckets, long total, long failed, long max, List<Bar> bars) {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY_HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  static final int WIDTH = 720;
  static final int HEIGHT = 200;
  static final int LEFT = 36;
  static final int BOTTOM = 22;
  static final int TOP = 10;
  private static final int PLOT = HEIGHT - BOTTOM - TOP;

  /** One bucket's bars; {@code tick} is the hour written under every sixth, else null. */
  record Bar(
      String tip,
      String x,
      String y,
      String width,
      String height,
      String failedX,
      String failedY,
      String failedHeight,
      String tick,
      String tickX) {}

  static DeliveryChart of(List<DeliveryCount> buckets) {
    long total = buckets.stream().mapToLong(DeliveryCount::total).sum();
    long failed = buckets.stream().mapToLong(DeliveryCount::failed).sum();
    long max = Math.max(1, buckets.stream().mapToLong(DeliveryCount::total).max().orElse(0));
    double step = (WIDTH - LEFT) / (double) buckets.size();
    double bar = Math.max(1, step * 0.4);
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < buckets.size(); i++) {
      DeliveryCount b = buckets.get(i);
      double x = LEFT + i * step + (step - 2 * bar) / 2;
      double h = PLOT * (double) b.total() / max;
      double hf = PLOT * (double) b.failed() / max;
      bars.add(
          new Bar(
              "%s: %d deliveries, %d failed"
                  .formatted(HOUR.format(b.start()), b.total(), b.failed()),
              n(x),
              n(TOP + PLOT - h),
              n(bar),
              n(h),
              n(x + bar),
              n(TOP + PLOT - hf),
              n(hf),
              i % 6 == 0 ? HOUR.format(b.start()) : null,
              n(LEFT + i * step)));
    }
    return new DeliveryChart(buckets, total, failed, max, bars);
  }

  String label() {
    return "Deliveries per hour over the last %d hours: %d in all, %d failed."
        .formatted(buckets.size(), total, failed);
  }

  int baseline() {
    return TOP + PLOT;
  }

  static String dayHour(Instant start) {
    return DAY_HOUR.format(start);
  }

  private static String n(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
