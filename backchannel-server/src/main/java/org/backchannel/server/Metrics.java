package org.backchannel.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryObserver;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.retention.PurgeObserver;
import org.backchannel.core.retention.RetentionStore;
import org.backchannel.core.store.Store;

/**
 * Prometheus metrics: deliveries by state (the queue depth), each endpoint's backlog and whether it
 * is disabled, attempts by outcome and status class, attempt latency as a histogram, lease
 * takeovers, rows the purge removed and pages it gave back, and the JVM's own. Names and labels are
 * listed in docs/DELIVERY.md.
 */
final class Metrics implements DeliveryObserver, PurgeObserver {
  /** Counting reads the queue's indexes; a scrape every few seconds does not need it fresher. */
  private static final Duration COUNT_TTL = Duration.ofSeconds(5);

  /**
   * The most endpoints that get series of their own, so that labels stay bounded however many
   * endpoints there are: disabled ones first, then those whose oldest waiting delivery is oldest.
   */
  static final int MAX_ENDPOINT_SERIES = 500;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Store store;
  private final InstantSource clock;
  private final AtomicReference<Counted> counted = new AtomicReference<>();
  private final AtomicReference<Backlogs> backlogs = new AtomicReference<>();
  private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Counter takeovers;
  private final MultiGauge queueDepth;
  private final MultiGauge oldestAge;
  private final MultiGauge endpointDisabled;
  private final Map<String, Counter> notices = new ConcurrentHashMap<>();
  private final Counter purgedDeliveries;
  private final Counter purgedAttempts;
  private final Counter purgedBodies;
  private final Counter reclaimedPages;

  private record Counted(Instant at, Map<DeliveryState, Long> counts) {}

  private record Backlogs(Instant at, List<DeliveryStore.Backlog> rows, long disabled) {}

  Metrics(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // The queue only: counting finished deliveries would read every one kept (at thousands a
    // second for a 30-day retention, a scan of billions of rows per scrape).
    for (DeliveryState state : new DeliveryState[] {DeliveryState.PENDING, DeliveryState.SENDING}) {
      Gauge.builder("backchannel.deliveries", () -> count(state))
          .description("Deliveries waiting (pending, the queue depth) and being sent (sending)")
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    takeovers =
        Counter.builder("backchannel.lease.takeovers")
            .description(
                "Deliveries this node put back in the queue because their node stopped renewing"
                    + " its lease")
            .register(registry);
    queueDepth =
        MultiGauge.builder("backchannel.endpoint.queue.depth")
            .description("An endpoint's deliveries not yet finished (pending or being sent)")
            .register(registry);
    oldestAge =
        MultiGauge.builder("backchannel.endpoint.oldest.pending.age")
            .description("How long ago an endpoint's oldest unfinished delivery was made")
            .baseUnit("seconds")
            .register(registry);
    endpointDisabled =
        MultiGauge.builder("backchannel.endpoint.disabled")
            .description("1 while an endpoint is disabled (410 Gone, or failing for disable_after)")
            .register(registry);
    Gauge.builder("backchannel.endpoints.disabled", () -> backlogs().disabled())
        .description("How many endpoints are disabled")
        .register(registry);
    for (boolean sent : new boolean[] {true, false}) {
      notice("email", sent); // at zero from the start, so that rates and alerts see the series
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

  private static boolean stale(Instant at, Instant now) {
    return at.plus(COUNT_TTL).isBefore(now) || at.isAfter(now);
  }

  private double count(DeliveryState state) {
    Counted c = counted.get();
    Instant now = clock.instant();
    if (c == null || stale(c.at(), now)) {
      c = new Counted(now, store.read(tx -> tx.store(DeliveryStore.class).countQueued()));
      counted.set(c);
    }
    return c.counts().getOrDefault(state, 0L);
  }

  /** Every endpoint's backlog: one grouped read per {@link #COUNT_TTL} however many endpoints. */
  private Backlogs backlogs() {
    Backlogs b = backlogs.get();
    Instant now = clock.instant();
    if (b == null || stale(b.at(), now)) {
      List<DeliveryStore.Backlog> rows = store.read(tx -> tx.store(DeliveryStore.class).backlogs());
      b = new Backlogs(now, rows, rows.stream().filter(DeliveryStore.Backlog::disabled).count());
      backlogs.set(b);
      publish(b);
    }
    return b;
  }

  /** Replaces the endpoints' series: an endpoint that is no longer listed loses them. */
  private void publish(Backlogs b) {
    List<DeliveryStore.Backlog> shown = new ArrayList<>(b.rows());
    shown.sort(
        Comparator.comparing((DeliveryStore.Backlog x) -> !x.disabled())
            .thenComparing(
                DeliveryStore.Backlog::oldest, Comparator.nullsLast(Comparator.naturalOrder())));
    if (shown.size() > MAX_ENDPOINT_SERIES) {
      shown = shown.subList(0, MAX_ENDPOINT_SERIES);
    }
    List<MultiGauge.Row<?>> depth = new ArrayList<>();
    List<MultiGauge.Row<?>> age = new ArrayList<>();
    List<MultiGauge.Row<?>> disabled = new ArrayList<>();
    for (DeliveryStore.Backlog x : shown) {
      Tags tags = Tags.of("endpoint_id", Long.toString(x.endpointId()), "app", x.appClientId());
      depth.add(MultiGauge.Row.of(tags, x.waiting()));
      disabled.add(MultiGauge.Row.of(tags, x.disabled() ? 1 : 0));
      if (x.oldest() != null) {
        age.add(
            MultiGauge.Row.of(
                tags, Math.max(0, Duration.between(x.oldest(), b.at()).toMillis()) / 1000.0));
      }
    }
    queueDepth.register(depth, true);
    oldestAge.register(age, true);
    endpointDisabled.register(disabled, true);
  }

  /** Counts what became of a notice of a disabled endpoint sent by {@code channel}. */
  void noticed(String channel, boolean sent) {
    notice(channel, sent).increment();
  }

  private Counter notice(String channel, boolean sent) {
    String outcome = sent ? "sent" : "failed";
    return notices.computeIfAbsent(
        channel + '/' + outcome,
        k ->
            Counter.builder("backchannel.disabled.notices")
                .description("Notices of disabled endpoints sent to admins, by channel")
                .tags("channel", channel, "outcome", outcome)
                .register(registry));
  }

  @Override
  public void leasesTakenOver(int deliveries) {
    takeovers.increment(deliveries);
  }

  @Override
  public void endpointDisabled(Endpoint endpoint) {
    backlogs.set(null); // the next scrape shows it, however recent the last read
  }

  /** 2xx … 5xx by the answer's status; none when the app did not answer. */
  static String statusClass(Integer status) {
    if (status == null) {
      return "none";
    }
    return status >= 100 && status <= 599 ? status / 100 + "xx" : "other";
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
    String status = statusClass(attempt.responseStatus());
    // Looked up once per combination: registering builds and sorts the tags on every call.
    attempts
        .computeIfAbsent(
            contract + '/' + mode + '/' + result + '/' + status,
            k ->
                Counter.builder("backchannel.attempts")
                    .description("Delivery attempts by outcome and the answer's status class")
                    .tags(
                        "contract",
                        contract,
                        "mode",
                        mode,
                        "outcome",
                        result,
                        "status_class",
                        status)
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
    backlogs(); // the endpoints' series are replaced before they are read, not while
    return registry.scrape();
  }
}
