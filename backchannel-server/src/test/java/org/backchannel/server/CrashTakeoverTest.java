package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.core.deliveries.Deliveries;
import org.backchannel.core.delivery.AddressPolicy;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.DeliveryWorker;
import org.backchannel.core.delivery.JettyHttpSender;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Tx;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.User;
import org.backchannel.store.JdbcStore;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/**
 * Takeover after {@code kill -9}, with real {@code serve} processes on their default lease
 * settings: a node killed while it holds an endpoint's every in-flight slot must not keep that
 * endpoint waiting. Nothing accepted may be lost; the duplicates at-least-once allows are counted.
 * The figures are printed and written to {@code target/crash/}; docs/DELIVERY.md quotes them.
 */
final class CrashTakeoverTest {
  private static final Path RESULTS = Path.of("target", "crash");

  /** The default lease, which these processes run on. */
  private static final Duration LEASE = DeliveryWorker.Settings.defaults("any").lease();

  /**
   * SQLite, one node: the killed process held all of the endpoint's slots; the restarted one must
   * send to it again within 5 s of answering {@code /healthz}.
   */
  @Test
  void aRestartedNodeSendsAgainWithinFiveSeconds() throws Exception {
    int events = 400;
    int slots = 8;
    Path dir = Files.createTempDirectory("backchannel-crash");
    String url = "jdbc:sqlite:" + dir.resolve("backchannel.db");
    try (Setup s = Setup.on(url, slots, events)) {
      HeldApp held = s.held();

      Process first = node(url, s.key, freePort(), "sqlite-first");
      long killedAt;
      try {
        assertThat(held.full.await(60, TimeUnit.SECONDS))
            .as("the first node fills the endpoint")
            .isTrue();
        first.destroyForcibly(); // SIGKILL: no shutdown hook, its leases stay behind
        first.waitFor();
        killedAt = System.nanoTime();
      } finally {
        first.destroyForcibly();
        held.killed.countDown();
      }

      int port = freePort();
      long startedAt = System.nanoTime();
      Process second = node(url, s.key, port, "sqlite-second");
      try {
        long healthyAt = healthy(port);
        Long firstAgain = held.later.poll(60, TimeUnit.SECONDS);
        assertThat(firstAgain).as("the endpoint receives again").isNotNull();
        s.awaitSettled(Duration.ofSeconds(120));
        int duplicates = s.checkNothingLost();
        String result =
            "sqlite: restart to healthy %.1f s; endpoint received again %.1f s after healthy"
                    .formatted(secs(healthyAt - startedAt), secs(firstAgain - healthyAt))
                + " (%.1f s after the kill); %d events, 0 lost, %d duplicates%n"
                    .formatted(secs(firstAgain - killedAt), events, duplicates);
        report("sqlite.txt", result);
        assertThat(secs(firstAgain - healthyAt)).as(result).isLessThanOrEqualTo(5.0);
      } finally {
        second.destroyForcibly();
      }
    }
  }

  /**
   * PostgreSQL, two nodes: while the first holds every slot of the endpoint, the second takes none
   * of its deliveries (the first is alive and renews its leases); once the first is killed, the
   * second sends to the endpoint again within about one lease.
   */
  @Test
  void aSurvivingNodeTakesOverADeadPeersDeliveriesWithinALease() throws Exception {
    int events = 1_000;
    int slots = 16;
    String url = TestDatabases.postgresUrl();
    try (Setup s = Setup.on(url, slots, events)) {
      HeldApp held = s.held();
      Process doomed = node(url, s.key, freePort(), "pg-doomed");
      int port = freePort();
      Process survivor = null;
      try {
        assertThat(held.full.await(60, TimeUnit.SECONDS))
            .as("the first node fills the endpoint")
            .isTrue();
        survivor = node(url, s.key, port, "pg-survivor");
        healthy(port);
        // Longer than a lease: a live node's deliveries must not be taken from it.
        assertThat(held.later.poll(LEASE.plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS))
            .as("nothing is sent twice while the node holding it lives")
            .isNull();
        doomed.destroyForcibly();
        doomed.waitFor();
        long killedAt = System.nanoTime();
        held.killed.countDown();

        Long again = held.later.poll(60, TimeUnit.SECONDS);
        assertThat(again).as("the survivor takes over").isNotNull();
        s.awaitSettled(Duration.ofSeconds(120));
        int duplicates = s.checkNothingLost();
        String result =
            ("postgresql: two nodes; the survivor took none of a live node's deliveries for %d s,"
                    + " then sent to the endpoint again %.1f s after that node was killed"
                    + " (lease %d s); %d events, 0 lost, %d duplicates%n")
                .formatted(
                    LEASE.plusSeconds(2).toSeconds(),
                    secs(again - killedAt),
                    LEASE.toSeconds(),
                    events,
                    duplicates);
        report("postgresql.txt", result);
        assertThat(secs(again - killedAt)).as(result).isLessThanOrEqualTo(8.0);
      } finally {
        held.killed.countDown();
        doomed.destroyForcibly();
        if (survivor != null) {
          survivor.destroyForcibly();
        }
      }
    }
  }

  /**
   * The app: the first {@code slots} calls (the first node's sends) are held until {@code killed}
   * opens; the arrival of every later one is timed.
   */
  private static final class HeldApp {
    final CountDownLatch killed = new CountDownLatch(1);
    final CountDownLatch full;
    final BlockingQueue<Long> later = new LinkedBlockingQueue<>();

    HeldApp(RecordingReceiver app, int slots) {
      full = new CountDownLatch(slots);
      AtomicInteger arrived = new AtomicInteger();
      app.answer(
          r -> {
            if (arrived.incrementAndGet() <= slots) {
              full.countDown();
              await(killed);
            } else {
              later.add(System.nanoTime());
            }
            return Answer.status(204);
          });
    }
  }

  /**
   * A workspace, an app and its endpoint of {@code slots} in-flight slots on {@code url}, set up in
   * this process, the app held as {@link HeldApp} says, and {@code events} events published.
   */
  private record Setup(
      JdbcStore store,
      JettyHttpSender sender,
      RecordingReceiver app,
      HeldApp held,
      String key,
      int events)
      implements AutoCloseable {
    static Setup on(String url, int slots, int events) {
      String key = SecretBox.newKey();
      JdbcStore store = JdbcStore.open(url);
      RecordingReceiver app = RecordingReceiver.start();
      JettyHttpSender sender =
          new JettyHttpSender(AddressPolicy.allowingLoopback(), JettyHttpSender.DEFAULT_MAX_BODY);
      Backchannel bc =
          new Backchannel(
              store,
              sender,
              new SecretBox(Base64.getDecoder().decode(key)),
              Clock.systemUTC(),
              Backchannel.Settings.defaults());
      User admin = bc.directory().bootstrap("Acme", "Ada", "ada@example.com").value();
      long appId = bc.apps().createApp(admin, "Sink", "sink").value().id();
      bc.deliveries()
          .createEndpoint(admin, appId, app.url("/events").toString(), false, slots, null);
      HeldApp held = new HeldApp(app, slots);
      for (int from = 0; from < events; from += Deliveries.MAX_BATCH) {
        List<Deliveries.NewEvent> batch = new ArrayList<>();
        for (int i = from; i < Math.min(events, from + Deliveries.MAX_BATCH); i++) {
          batch.add(
              new Deliveries.NewEvent(
                  "load.test", JsonNodeFactory.instance.objectNode().put("n", i), null));
        }
        bc.deliveries().publishBatch(admin, appId, batch);
      }
      return new Setup(store, sender, app, held, key, events);
    }

    /** Waits, by what the app receives, until no delivery is pending or being sent. */
    void awaitSettled(Duration bound) {
      long deadline = System.nanoTime() + bound.toNanos();
      while (unsettled() > 0 && System.nanoTime() < deadline) {
        try {
          app.take(Duration.ofSeconds(1));
        } catch (AssertionError quiet) {
          // nothing arrived for a second: look at the store again
        }
      }
      assertThat(unsettled()).as("deliveries not yet settled").isZero();
    }

    private long unsettled() {
      Map<DeliveryState, Long> counts =
          store.transaction((Tx t) -> t.store(DeliveryStore.class).countByState());
      return counts.get(DeliveryState.PENDING) + counts.get(DeliveryState.SENDING);
    }

    /** Every event reached the app and succeeded; returns how many requests were duplicates. */
    int checkNothingLost() {
      Set<String> ids = new HashSet<>();
      List<RecordingReceiver.Recorded> received = app.requests();
      received.forEach(r -> ids.add(r.header("webhook-id")));
      assertThat(ids).as("distinct deliveries received").hasSize(events);
      Map<DeliveryState, Long> counts =
          store.transaction((Tx t) -> t.store(DeliveryStore.class).countByState());
      assertThat(counts.get(DeliveryState.SUCCEEDED)).isEqualTo(events);
      return received.size() - ids.size();
    }

    @Override
    public void close() {
      app.close();
      sender.close();
      store.close();
    }
  }

  private static double secs(long nanos) {
    return nanos / 1e9;
  }

  private static void report(String file, String result) throws IOException {
    System.out.print(result);
    Files.createDirectories(RESULTS);
    Files.writeString(RESULTS.resolve(file), result);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Polls {@code /healthz} until it answers 200; returns when (nanoTime). */
  private static long healthy(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime();
        }
      } catch (IOException notYet) {
        Thread.sleep(50); // not listening yet: look again shortly
      }
    }
    throw new AssertionError("serve on port " + port + " did not become healthy in 60 s");
  }

  /** A real {@code backchannel serve} process, on its default lease settings. */
  private static Process node(String dbUrl, String key, int port, String name) throws IOException {
    return ServeProcess.start(dbUrl, key, port, Map.of(), RESULTS.resolve(name + ".log"));
  }
}
