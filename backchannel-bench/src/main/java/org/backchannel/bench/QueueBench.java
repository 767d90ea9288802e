package org.backchannel.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.apps.App;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Exchange;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.User;
import org.backchannel.store.JdbcStore;
import org.backchannel.testkit.TestDatabases;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The queue's hot statements on SQLite (a temporary file): claiming a batch of due deliveries, and
 * recording one attempt each in its own transaction, as the worker does today. Scores are per
 * delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QueueBench {
  static final int BATCH = 64;

  @Param({"10000"})
  public int pending;

  private JdbcStore store;
  private App app;
  private String url;
  private final byte[] body =
      "{\"type\":\"bench\",\"data\":{\"n\":1}}".getBytes(StandardCharsets.UTF_8);
  private final InstantSource clock = InstantSource.system();
  private final Outbox outbox = new Outbox(clock);
  private List<Delivery> claimed = List.of();
  private int remaining;

  @Setup(Level.Trial)
  public void setUp() {
    store = TestDatabases.sqlite();
    Backchannel bc =
        new Backchannel(
            store,
            new NoSender(),
            new SecretBox(java.util.Base64.getDecoder().decode(SecretBox.newKey())),
            clock,
            Backchannel.Settings.defaults());
    User admin =
        bc.directory()
            .authenticate(bc.directory().bootstrap("Bench", "Ada", "ada@example.com").secret());
    app = bc.apps().createApp(admin, "Bench", "bench").value();
    url = "http://127.0.0.1:9/events";
    bc.deliveries().createEndpoint(admin, app.id(), url, false, 1000, null);
    fill(pending);
    remaining = pending;
  }

  private void fill(int n) {
    for (int done = 0; done < n; ) {
      int size = Math.min(1000, n - done);
      store.transaction(
          tx -> {
            for (int i = 0; i < size; i++) {
              outbox.enqueue(
                  tx,
                  new NewDelivery(
                      app.workspaceId(),
                      app.id(),
                      Contract.NATIVE,
                      "bench",
                      "POST",
                      url,
                      null,
                      body));
            }
            return null;
          });
      done += size;
    }
  }

  /**
   * Settles what the previous invocation claimed and tops the backlog up, both out of the measured
   * time, so every measured claim finds a full batch in a backlog of about {@code pending}.
   */
  @Setup(Level.Invocation)
  public void settle() {
    if (!claimed.isEmpty()) {
      recordAll(claimed);
      claimed = List.of();
    }
    if (remaining < pending / 2) {
      fill(pending - remaining);
      remaining = pending;
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public List<Delivery> claimDue() {
    Instant now = clock.instant();
    List<Delivery> got =
        store.transaction(
            tx ->
                tx.store(DeliveryStore.class)
                    .claimDue("bench", now, now.plus(Duration.ofMinutes(1)), BATCH));
    remaining -= got.size();
    claimed = got;
    return got;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int claimAndRecordEach() {
    Instant now = clock.instant();
    List<Delivery> got =
        store.transaction(
            tx ->
                tx.store(DeliveryStore.class)
                    .claimDue("bench", now, now.plus(Duration.ofMinutes(1)), BATCH));
    recordAll(got);
    remaining -= got.size();
    return got.size();
  }

  private void recordAll(List<Delivery> batch) {
    Instant now = clock.instant();
    for (Delivery d : batch) {
      Attempt a =
          new Attempt(
              0,
              d.id(),
              d.attemptCount() + 1,
              now,
              Duration.ofMillis(1),
              "POST",
              url,
              Map.of("Content-Type", "application/json"),
              new String(body, StandardCharsets.UTF_8),
              204,
              Map.of(),
              "",
              null,
              "delivered (204)");
      store.transaction(
          tx ->
              tx.store(DeliveryStore.class)
                  .recordAttempt(a, DeliveryState.SUCCEEDED, null, "delivered (204)", now));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  /** Never called: the statements are measured without sending anything. */
  static final class NoSender implements org.backchannel.core.delivery.HttpSender {
    @Override
    public Exchange send(org.backchannel.core.delivery.OutboundRequest request, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
