package org.backchannel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.backchannel.core.apps.App;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.User;
import org.backchannel.server.BackchannelServer;
import org.backchannel.server.Config;
import org.backchannel.testkit.TestDatabases;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The end-to-end load driver: the real server in this process on a real store (SQLite file or
 * embedded PostgreSQL), a real receiver on loopback, and the measurements of issue 8. Writes what
 * it measured as JSON; {@link Report} turns that into docs/BENCHMARKS.md. Options are {@code
 * --name=value} (or {@code --name value}); see {@link #OPTIONS} or {@code --help}.
 */
public final class LoadDriver {
  static final Map<String, String> OPTIONS =
      Map.ofEntries(
          Map.entry("stores", "sqlite,postgres"),
          Map.entry("events", "100000"), // the throughput run, per store
          // Events drained first on a throwaway store, for the JIT: 5,000 left the first throughput
          // run paying for compilation (CPU per delivery fell by half over a long drain).
          Map.entry("warmup", "20000"),
          Map.entry("raw", "100000"), // plain POSTs for the receiver's raw capacity
          Map.entry("concurrency", "256"), // raw client in flight; also the endpoint's limit
          Map.entry("rate", "1000"), // offered events per second in the latency run
          Map.entry("seconds", "20"), // length of the latency run
          Map.entry("presses", "2000"), // UpdateAction round trips (after 200 warm-up ones)
          Map.entry("pending", "10000"), // extra backlog sizes to drain (1000000 for the issue)
          Map.entry("endpoints", "100"), // extra endpoint counts (10000 for the issue)
          Map.entry("endpoint-events", "10000"), // events per endpoint-scale run
          Map.entry("startups", "3"), // child-process starts of `serve`
          Map.entry("idle-seconds", "5"),
          Map.entry("drain-timeout", "900"),
          Map.entry("phases", "throughput,raw,latency,action"), // which runs on the main store
          // The embedded PostgreSQL flushes each commit, as a production server does (its own
          // default for tests is fsync off and asynchronous commit: not "durable").
          Map.entry("pg-durable", "true"),
          Map.entry("out", "target/bench-results.json"));

  static final ObjectMapper JSON = new ObjectMapper();
  final Map<String, String> opt = new HashMap<>(OPTIONS);
  final Receiver receiver = new Receiver();

  public static void main(String[] args) throws Exception {
    LoadDriver d = new LoadDriver();
    // Every option is a string with a default, so the command line is built from OPTIONS.
    CommandSpec spec = CommandSpec.create().name("bench/run").mixinStandardHelpOptions(true);
    OPTIONS.forEach(
        (name, value) ->
            spec.addOption(
                OptionSpec.builder("--" + name)
                    .paramLabel("VALUE")
                    .type(String.class)
                    .defaultValue(value)
                    .description("default: " + value)
                    .build()));
    CommandLine cli = new CommandLine(spec);
    try {
      ParseResult parsed = cli.parseArgs(args);
      if (CommandLine.printHelpIfRequested(parsed)) {
        System.exit(0); // the receiver's threads would keep the JVM up
      }
      OPTIONS.keySet().forEach(k -> d.opt.put(k, parsed.matchedOptionValue(k, OPTIONS.get(k))));
    } catch (ParameterException e) {
      System.err.println(e.getMessage());
      cli.usage(System.err);
      System.exit(2);
    }
    System.setProperty(TestDatabases.DURABLE_PROPERTY, d.opt.get("pg-durable"));
    ObjectNode out = d.run();
    Path file = Path.of(d.opt.get("out"));
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
    System.out.println("wrote " + file);
    System.exit(0);
  }

  int num(String k) {
    return Integer.parseInt(opt.get(k));
  }

  List<Integer> nums(String k) {
    return Arrays.stream(opt.get(k).split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(Integer::parseInt)
        .toList();
  }

  static void log(String s) {
    System.out.println(Instant.now() + " " + s);
  }

  ObjectNode run() throws Exception {
    ObjectNode out = JSON.createObjectNode();
    out.set("options", JSON.valueToTree(new java.util.TreeMap<>(opt)));
    out.set("machine", Machine.describe());
    ObjectNode stores = out.putObject("stores");
    for (String kind : opt.get("stores").split(",")) {
      stores.set(kind.strip(), store(kind.strip()));
    }
    out.set("startup", startup());
    out.put("loadavg_end", Machine.loadavg());
    receiver.close();
    return out;
  }

  // ---- one store

  ObjectNode store(String kind) throws Exception {
    ObjectNode r = JSON.createObjectNode();
    int events = num("events");
    if (num("warmup") > 0) {
      try (Env env = new Env(kind, 1)) {
        log(kind + ": warm-up, " + num("warmup") + " events (not reported)");
        env.drainRun(num("warmup"));
        raw(env.endpointUrls.get(0), num("warmup"), num("concurrency"));
      }
    }
    List<String> phases = Arrays.asList(opt.get("phases").split(","));
    try (Env env = new Env(kind, 1)) {
      if (phases.contains("throughput")) {
        log(kind + ": throughput, " + events + " events");
        r.set("throughput", env.drainRun(events));
      }
      if (phases.contains("raw")) {
        log(kind + ": raw POST capacity");
        r.set("raw", raw(env.endpointUrls.get(0), num("raw"), num("concurrency")));
      }
      if (r.has("throughput") && r.has("raw")) {
        r.put(
            "ratio",
            r.get("throughput").get("per_second").asDouble()
                / r.get("raw").get("per_second").asDouble());
      }
      if (phases.contains("latency")) {
        log(kind + ": latency at " + opt.get("rate") + "/s");
        r.set("latency", env.latencyRun(num("rate"), num("seconds")));
      }
      if (phases.contains("action")) {
        log(kind + ": UpdateAction round trips");
        r.set("action", env.actionRun(num("presses")));
      }
    }
    ArrayNode pending = r.putArray("pending_scale");
    if (r.has("throughput")) {
      pending.add(point("pending", events, 1, r.get("throughput")));
    }
    for (int p : nums("pending")) {
      if (p == events) {
        continue;
      }
      try (Env env = new Env(kind, 1)) {
        log(kind + ": drain a backlog of " + p);
        pending.add(point("pending", p, 1, env.drainRun(p)));
      }
    }
    ArrayNode endpoints = r.putArray("endpoint_scale");
    for (int e : nums("endpoints")) {
      try (Env env = new Env(kind, e)) {
        int n = Math.max(e, num("endpoint-events"));
        log(kind + ": " + n + " events over " + e + " endpoints");
        endpoints.add(point("endpoints", n, e, env.drainRun(n)));
      }
    }
    return r;
  }

  static ObjectNode point(String what, int n, int endpoints, JsonNode run) {
    ObjectNode p = ((ObjectNode) run).deepCopy();
    p.put("pending", n);
    p.put("endpoints", endpoints);
    return p;
  }

  // ---- raw capacity of the receiver from the same kind of client

  ObjectNode raw(String url, int n, int concurrency) throws Exception {
    org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
    client.setMaxConnectionsPerDestination(concurrency);
    client.setExecutor(new VirtualThreadPool());
    client.start();
    try {
      byte[] body =
          "{\"type\":\"bench\",\"timestamp\":\"2026-11-23T10:00:00Z\",\"data\":{\"n\":1}}"
              .getBytes(StandardCharsets.UTF_8);
      rawBatch(client, url, Math.min(n, 5000), concurrency, body); // warm-up
      long t0 = System.nanoTime();
      long failed = rawBatch(client, url, n, concurrency, body);
      double secs = (System.nanoTime() - t0) / 1e9;
      ObjectNode r = JSON.createObjectNode();
      r.put("requests", n);
      r.put("failed", failed);
      r.put("seconds", secs);
      r.put("per_second", n / secs);
      r.put("concurrency", concurrency);
      return r;
    } finally {
      client.stop();
    }
  }

  static long rawBatch(
      org.eclipse.jetty.client.HttpClient client, String url, int n, int concurrency, byte[] body)
      throws InterruptedException {
    Semaphore slots = new Semaphore(concurrency);
    AtomicLong failed = new AtomicLong();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      client
          .newRequest(url)
          .method(HttpMethod.POST)
          .body(new BytesRequestContent("application/json", body))
          .send(
              result -> {
                if (result.isFailed() || result.getResponse().getStatus() != 204) {
                  failed.incrementAndGet();
                }
                slots.release();
              });
    }
    slots.acquire(concurrency);
    return failed.get();
  }

  // ---- start-up and idle memory of `serve`, as a child process

  ObjectNode startup() throws Exception {
    ObjectNode r = JSON.createObjectNode();
    ArrayNode runs = r.putArray("runs");
    Path data = Files.createTempDirectory("backchannel-bench-serve-");
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < num("startups"); i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path logFile = data.resolve("serve-" + i + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  cp,
                  "org.backchannel.server.Main",
                  "serve",
                  "--dev",
                  "--port",
                  Integer.toString(port),
                  "--data-dir",
                  data.toString())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      pb.environment().remove("BACKCHANNEL_DB_URL");
      long t0 = System.nanoTime();
      Process p = pb.start();
      double ready = -1;
      HttpRequest health =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
              .timeout(Duration.ofSeconds(2))
              .build();
      while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60) && p.isAlive()) {
        try {
          if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            ready = (System.nanoTime() - t0) / 1e9;
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(10);
      }
      Thread.sleep(num("idle-seconds") * 1000L);
      ObjectNode run = runs.addObject();
      run.put("fresh_data_dir", i == 0);
      run.put("seconds_to_healthy", ready);
      run.put("idle_rss_mb", Machine.rssMb(p.pid(), "VmRSS"));
      run.put("peak_rss_mb", Machine.rssMb(p.pid(), "VmHWM"));
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      log("serve start " + i + ": " + run);
    }
    r.put("idle_seconds", num("idle-seconds"));
    r.put("jvm_flags", "--enable-native-access=ALL-UNNAMED (no heap flags: JVM defaults)");
    return r;
  }

  // ---- a server on a fresh store, an app, and its endpoints at the receiver

  final class Env implements AutoCloseable {
    final String kind;
    final Store store;
    final BackchannelServer server;
    final User admin;
    final String adminToken;
    final App app;
    final List<String> endpointUrls = new ArrayList<>();

    Env(String kind, int endpoints) {
      this.kind = kind;
      this.store =
          switch (kind) {
            case "sqlite" -> TestDatabases.sqlite();
            case "postgres" -> TestDatabases.postgres();
            default -> throw new IllegalArgumentException("store " + kind);
          };
      Map<String, String> s = Config.defaults();
      s.put("port", "0");
      s.put("dev", "true");
      s.put("secret_key", SecretBox.newKey());
      s.put("worker", "false"); // started by hand once the backlog is in, to time the drain alone
      s.put("worker_concurrency", opt.get("concurrency"));
      server = BackchannelServer.start(Config.from(s), store, Clock.systemUTC());
      adminToken =
          server
              .backchannel()
              .directory()
              .bootstrap("Bench", "Ada Admin", "ada@example.com")
              .secret();
      admin = server.backchannel().directory().authenticate(adminToken);
      app = server.backchannel().apps().createApp(admin, "Bench", "bench").value();
      int limit = Math.min(1000, num("concurrency"));
      if (endpoints == 1) {
        Endpoint e =
            server
                .backchannel()
                .deliveries()
                .createEndpoint(admin, app.id(), receiver.url("/events"), false, limit, null);
        endpointUrls.add(e.url());
      } else {
        for (int done = 0; done < endpoints; ) {
          int from = done;
          int size = Math.min(1000, endpoints - done);
          store.transaction(
              tx -> {
                Instant now = Instant.now();
                for (int i = from; i < from + size; i++) {
                  String url = receiver.url("/events/" + i);
                  tx.store(DeliveryStore.class)
                      .endpointFor(app.workspaceId(), app.id(), url, Endpoint.Kind.WEBHOOK, now);
                  endpointUrls.add(url);
                }
                return null;
              });
          done += size;
        }
      }
    }

    /** Enqueues n events round-robin over the endpoints, in batches of 1,000 per transaction. */
    double enqueue(int n) {
      long t0 = System.nanoTime();
      Outbox outbox = new Outbox(java.time.InstantSource.system());
      for (int done = 0; done < n; ) {
        int from = done;
        int size = Math.min(1000, n - done);
        store.transaction(
            tx -> {
              Instant now = Instant.now();
              for (int i = from; i < from + size; i++) {
                byte[] body =
                    ("{\"type\":\"bench\",\"timestamp\":\""
                            + now
                            + "\",\"data\":{\"n\":"
                            + i
                            + "}}")
                        .getBytes(StandardCharsets.UTF_8);
                outbox.enqueue(
                    tx,
                    new NewDelivery(
                        app.workspaceId(),
                        app.id(),
                        Contract.NATIVE,
                        "bench",
                        "POST",
                        endpointUrls.get(i % endpointUrls.size()),
                        null,
                        body));
              }
              return null;
            });
        done += size;
      }
      return (System.nanoTime() - t0) / 1e9;
    }

    ObjectNode drainRun(int n) throws InterruptedException {
      ObjectNode r = JSON.createObjectNode();
      double enqueueSecs = enqueue(n);
      r.put("enqueue_seconds", enqueueSecs);
      r.put("enqueue_per_second", n / enqueueSecs);
      System.gc();
      r.put("rss_mb_before", Machine.rssMb(ProcessHandle.current().pid(), "VmRSS"));
      long base = receiver.count.sum();
      double cpu0 = Machine.cpuSeconds();
      long t0 = System.nanoTime();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(num("drain-timeout"));
      server.backchannel().worker().start();
      server.backchannel().worker().wake();
      long heapPeak = 0;
      while (receiver.count.sum() - base < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
        Runtime rt = Runtime.getRuntime();
        heapPeak = Math.max(heapPeak, rt.totalMemory() - rt.freeMemory());
      }
      double received = (System.nanoTime() - t0) / 1e9;
      long open = Long.MAX_VALUE;
      while (System.nanoTime() < deadline) {
        Map<DeliveryState, Long> c =
            store.transaction(tx -> tx.store(DeliveryStore.class).countByState());
        open = c.get(DeliveryState.PENDING) + c.get(DeliveryState.SENDING);
        if (open == 0) {
          break;
        }
        Thread.sleep(20);
      }
      double settled = (System.nanoTime() - t0) / 1e9;
      double cpu = Machine.cpuSeconds() - cpu0;
      Map<DeliveryState, Long> c =
          store.transaction(tx -> tx.store(DeliveryStore.class).countByState());
      r.put("deliveries", n);
      r.put("received", receiver.count.sum() - base);
      r.put("succeeded", c.get(DeliveryState.SUCCEEDED));
      r.put("failed", c.get(DeliveryState.FAILED));
      r.put("still_open", open);
      r.put("seconds_to_last_receipt", received);
      r.put("seconds_to_all_recorded", settled);
      r.put("per_second", n / settled);
      // All processes' CPU (server, receiver, PostgreSQL) per delivery: steadier than the rate.
      r.put("cpu_ms_per_delivery", cpu * 1000 / n);
      r.put("heap_peak_mb", heapPeak / 1048576.0);
      r.put("rss_mb_after", Machine.rssMb(ProcessHandle.current().pid(), "VmRSS"));
      log(kind + " drained " + n + ": " + r);
      return r;
    }

    ObjectNode latencyRun(int rate, int seconds) throws Exception {
      receiver.latency.reset();
      server.backchannel().worker().start();
      long base = receiver.count.sum();
      int total = rate * seconds;
      long period = 1_000_000_000L / rate;
      AtomicLong failures = new AtomicLong();
      Histogram publishTime = new org.HdrHistogram.ConcurrentHistogram(60_000_000L, 3);
      double cpu0 = Machine.cpuSeconds();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        long start = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < total; i++) {
          long at = start + i * period;
          long wait = at - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          pool.execute(
              () -> {
                try {
                  ObjectNode data = JsonNodeFactory.instance.objectNode().put("t", at);
                  server.backchannel().deliveries().publish(admin, app.id(), "bench", data, null);
                  publishTime.recordValue((System.nanoTime() - at) / 1000);
                } catch (RuntimeException e) {
                  failures.incrementAndGet();
                }
              });
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (receiver.count.sum() - base < total && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double cpu = Machine.cpuSeconds() - cpu0;
      ObjectNode r = JSON.createObjectNode();
      r.put("offered_per_second", rate);
      r.put("cpu_ms_per_event", cpu * 1000 / total);
      r.put("seconds", seconds);
      r.put("offered", total);
      r.put("publish_failures", failures.get());
      r.put("received", receiver.count.sum() - base);
      r.set("event_to_receiver_ms", percentiles(receiver.latency));
      r.set("publish_ms", percentiles(publishTime));
      log(kind + " latency: " + r);
      return r;
    }

    ObjectNode actionRun(int presses) throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      String base = server.url().toString();
      JsonNode member =
          post(
              http,
              base + "/api/v1/users",
              adminToken,
              "{\"name\":\"Mia Member\",\"email\":\"mia@example.com\"}");
      String memberToken = member.get("token").asText();
      long flow =
          post(
                  http,
                  base + "/api/v1/flows",
                  adminToken,
                  "{\"name\":\"dev\",\"members\":[" + member.get("id").asLong() + "]}")
              .get("id")
              .asLong();
      String flowToken =
          post(
                  http,
                  base + "/api/v1/sources",
                  adminToken,
                  "{\"app_id\":" + app.id() + ",\"flow_id\":" + flow + "}")
              .get("flow_token")
              .asText();
      String activity =
          """
          {"flow_token":"%s","event":"activity","author":{"name":"octocat"},"title":"Opened",
           "external_thread_id":"bench:1","thread":{"title":"Bench","status":{"color":"green","value":"open"},
           "actions":[{"@type":"UpdateAction","name":"Assign to me",
             "target":{"@type":"EntryPoint","urlTemplate":"%s","httpMethod":"POST"}}]}}
          """
              .formatted(flowToken, receiver.url("/action"));
      long thread = post(http, base + "/messages", null, activity).get("thread_id").asLong();
      URI press = URI.create(base + "/api/v1/threads/" + thread + "/actions/0");
      Histogram overhead = new Histogram(60_000_000L, 3);
      Histogram toReceiver = new Histogram(60_000_000L, 3);
      Histogram roundTrip = new Histogram(60_000_000L, 3);
      int failures = 0;
      for (int i = 0; i < 200 + presses; i++) {
        HttpRequest req =
            HttpRequest.newBuilder(press)
                .header("Authorization", "Bearer " + memberToken)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        long t0 = System.nanoTime();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        long rtt = System.nanoTime() - t0;
        if (res.statusCode() != 200 || !res.body().contains("\"done\"")) {
          failures++;
          continue;
        }
        if (i >= 200) {
          roundTrip.recordValue(rtt / 1000);
          overhead.recordValue(Math.max(0, rtt - receiver.lastHandling.get()) / 1000);
          toReceiver.recordValue(Math.max(0, receiver.lastArrival.get() - t0) / 1000);
        }
      }
      ObjectNode r = JSON.createObjectNode();
      r.put("presses", presses);
      r.put("failures", failures);
      r.set("round_trip_ms", percentiles(roundTrip));
      r.set("overhead_ms", percentiles(overhead));
      r.set("press_to_receiver_ms", percentiles(toReceiver));
      log(kind + " actions: " + r);
      return r;
    }

    JsonNode post(HttpClient http, String url, String token, String body) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() / 100 != 2) {
        throw new IllegalStateException(url + " -> " + res.statusCode() + " " + res.body());
      }
      return JSON.readTree(res.body());
    }

    @Override
    public void close() {
      server.close();
      store.close();
    }
  }

  static ObjectNode percentiles(Histogram h) {
    ObjectNode p = JSON.createObjectNode();
    p.put("count", h.getTotalCount());
    p.put("p50", h.getValueAtPercentile(50) / 1000.0);
    p.put("p99", h.getValueAtPercentile(99) / 1000.0);
    p.put("p99_9", h.getValueAtPercentile(99.9) / 1000.0);
    p.put("max", h.getMaxValue() / 1000.0);
    return p;
  }
}
