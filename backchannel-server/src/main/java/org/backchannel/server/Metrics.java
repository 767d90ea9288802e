package org.backchannel.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryObserver;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.retention.PurgeObserver;
import org.backchannel.core.retention.RetentionStore;
import org.backchannel.core.store.Store;

/**
 * Prometheus metrics: deliveries by state (the queue depth), attempts by outcome, attempt latency
 * as a histogram, rows the purge removed and pages it gave back, and the JVM's own.
 */
final class Metrics implements DeliveryObserver, PurgeObserver {
  /** Counting states scans an index; a scrape every few seconds does not need it fresher. */
  private static final Duration COUNT_TTL = Duration.ofSeconds(5);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Store store;
  private final AtomicReference<Counted> counted = new AtomicReference<>();
  private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Counter purgedDeliveries;
  private final Counter purgedAttempts;
  private final Counter purgedBodies;
  private final Counter reclaimedPages;

  private record Counted(Instant at, Map<DeliveryState, Long> counts) {}

  Metrics(Store store) {
    this.store = store;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    for (DeliveryState state : DeliveryState.values()) {
      Gauge.builder("backchannel.deliveries", () -> count(state))
          .description("Deliveries in each state; pending is the queue depth")
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    purgedDeliveries = purged("deliveries");
    purgedAttempts = purged("attempts");
    purgedBodies = purged("delivery_bodies");
    reclaimedPages =
        Counter.builder("backchannel.reclaimed.pages")
            .description("Free pages of the SQLite file the purge gave back to the file system")
            .register(registry);
  }

  private Counter purged(String table) {
    return Counter.builder("backchannel.purged")
        .description("Rows the purge removed, by table: finished deliveries past their retention")
        .tag("table", table)
        .register(registry);
  }

  @Override
  public void purged(RetentionStore.Purged batch) {
    purgedDeliveries.increment(batch.deliveries());
    purgedAttempts.increment(batch.attempts());
    purgedBodies.increment(batch.bodies());
  }

  @Override
  public void reclaimed(long pages) {
    reclaimedPages.increment(pages);
  }

  private double count(DeliveryState state) {
    Counted c = counted.get();
    Instant now = Instant.now();
    if (c == null || c.at().plus(COUNT_TTL).isBefore(now)) {
      c = new Counted(now, store.read(tx -> tx.store(DeliveryStore.class).countByState()));
      counted.set(c);
    }
    return c.counts().getOrDefault(state, 0L);
  }

  @Override
  public void attempted(Delivery delivery, Attempt attempt, Outcome outcome) {
    String result =
        switch (outcome) {
          case Outcome.Succeeded s -> "succeeded";
          case Outcome.AuthenticationRequired a -> "authentication_required";
          case Outcome.Failed f -> f.status() == null ? "no_answer" : "failed";
        };
    String contract = delivery.contract().name().toLowerCase(Locale.ROOT);
    String mode = delivery.interactive() ? "interactive" : "background";
    // Looked up once per combination: registering builds and sorts the tags on every call.
    attempts
        .computeIfAbsent(
            contract + '/' + mode + '/' + result,
            k ->
                Counter.builder("backchannel.attempts")
                    .description("Delivery attempts by outcome")
                    .tags("contract", contract, "mode", mode, "outcome", result)
                    .register(registry))
        .increment();
    durations
        .computeIfAbsent(
            contract + '/' + mode,
            k ->
                Timer.builder("backchannel.attempt.duration")
                    .description("Time from sending a request to the end of its answer")
                    .tags("contract", contract, "mode", mode)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(attempt.duration());
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
