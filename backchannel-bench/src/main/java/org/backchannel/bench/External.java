package org.backchannel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The outside-in mode ({@code bench/run --external}): this process is only the load client. {@code
 * serve} runs as its own process on its public surface (the {@code init} command, the HTTP API),
 * the receiver as another ({@link ReceiverMain}), PostgreSQL and Redis as the servers {@code
 * bench/run} started; the peers (job queues doing the same job) run as their own processes too. CPU
 * comes from {@code /proc/<pid>/stat} of each process (tree). Writes what it measured as JSON;
 * {@link ExternalReport} puts it into docs/BENCHMARKS.md.
 */
public final class External {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("stores", "sqlite,postgres");
    OPTIONS.put("events", "100000"); // ingested then drained, per store and per peer
    OPTIONS.put(
        "warmup", "5000"); // published first on each store, not timed (drained with the rest)
    OPTIONS.put("clients", "64"); // keep-alive HTTP clients publishing at once
    OPTIONS.put("max-in-flight", "256"); // the endpoint's limit (serve's worker default)
    OPTIONS.put("rates", "1000,5000"); // offered events/s for the latency runs
    OPTIONS.put("seconds", "20"); // length of each latency run
    OPTIONS.put("presses", "2000"); // UpdateAction presses, measured after the warm-up below
    // presses first, not measured: a long-running serve has the press path compiled, and it takes
    // the JIT about a minute of presses to get there (after 10 s it still spends about a third of
    // the CPU of a press compiling)
    OPTIONS.put("press-warmup-seconds", "60");
    OPTIONS.put("messages", "20000"); // POST /messages in the ingest-rate run
    OPTIONS.put("batch-size", "1000"); // events per call of the batch route, when it exists
    OPTIONS.put("startups", "3"); // starts each of `serve` and the bare Javalin hello-world
    OPTIONS.put("idle-seconds", "5");
    OPTIONS.put("peers", "graphile-worker,bullmq,db-scheduler");
    OPTIONS.put("peer-clients", "64"); // concurrent enqueues of a peer
    OPTIONS.put("peer-workers", "64"); // a peer's worker concurrency
    OPTIONS.put("drain-timeout", "600"); // seconds
    OPTIONS.put("serve-classpath", ""); // serve's runtime class path (bench/run sets it)
    // serve's JVM options, as its launchers give them (bench/run passes the launchers' own)
    OPTIONS.put("serve-java-options", "--enable-native-access=ALL-UNNAMED");
    // the launcher a user starts serve with (./backchannel), for the start-up phase: it keeps an
    // AOT cache; empty starts java directly on serve-classpath
    OPTIONS.put("launcher", "");
    // publishes in flight at once in the open-loop phases: past it the schedule waits (its delay
    // still counts, from each event's scheduled time) instead of opening connections without end
    OPTIONS.put("latency-in-flight", "256");
    // seconds offered at the first rate, not counted, before the open-loop phases: serve was
    // restarted for the drain, so its publish path is cold (a 20 s phase measured its JIT)
    OPTIONS.put("latency-warmup-seconds", "10");
    // serve nodes draining one PostgreSQL backlog together, each count on a fresh database
    // (empty: not run)
    OPTIONS.put("nodes", "");
    OPTIONS.put("pg-url", ""); // jdbc:postgresql://127.0.0.1:PORT/postgres?user=...: the server
    OPTIONS.put("pg-pid-file", ""); // its postmaster.pid, for its CPU
    OPTIONS.put("redis-port", "");
    OPTIONS.put("redis-pid-file", "");
    OPTIONS.put("peers-dir", "bench/peers");
    OPTIONS.put("skipped", ""); // what bench/run could not set up: name=why;name=why
    OPTIONS.put("out", "target/bench/external.json");
  }

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SERVE_MAIN = "org.backchannel.server.Main"; // as the launcher starts it
  final Map<String, String> opt = new LinkedHashMap<>(OPTIONS);
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final String java = ProcessHandle.current().info().command().orElse("java");
  final Path work;
  Process receiverProcess;
  String receiver; // base URL
  int dbCounter;

  External() throws IOException {
    work = Files.createTempDirectory("backchannel-external-");
  }

  public static void main(String[] args) throws Exception {
    External x = new External();
    x.opt.putAll(
        BenchOptions.parse(
            "bench/run --external",
            List.of(
                "Outside-in benchmark: serve, receiver, load client, databases and peers as"
                    + " processes.",
                "--quick (read by bench/run) means --events=10000 --warmup=2000 --seconds=5"
                    + " --presses=500 --press-warmup-seconds=5 --messages=5000 --startups=2"
                    + " --idle-seconds=3.",
                ""),
            OPTIONS,
            args,
            false));
    int code = 0;
    try {
      ObjectNode out = x.run();
      Path file = Path.of(x.opt.get("out"));
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
      log("wrote " + file);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      Procs.stopAll();
    }
    System.exit(code);
  }

  static void log(String s) {
    System.out.println(Instant.now() + " " + s);
    System.out.flush();
  }

  int num(String k) {
    return Integer.parseInt(opt.get(k));
  }

  List<String> list(String k) {
    return Arrays.stream(opt.get(k).split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  ObjectNode run() throws Exception {
    ObjectNode out = JSON.createObjectNode();
    out.set("options", JSON.valueToTree(opt));
    out.set("machine", Machine.describe());
    ObjectNode skipped = out.putObject("skipped");
    for (String s : opt.get("skipped").split(";")) {
      if (s.contains("=")) {
        skipped.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
      }
    }
    startReceiver();
    out.set("receiver_raw", rawReceiver(Math.min(num("events"), 50_000)));
    ObjectNode stores = out.putObject("stores");
    for (String kind : list("stores")) {
      if (kind.equals("postgres") && opt.get("pg-url").isEmpty()) {
        skipped.put("backchannel-postgres", "no PostgreSQL server was started");
        continue;
      }
      try {
        stores.set(kind, new Store(kind).measure());
      } catch (Exception e) {
        e.printStackTrace();
        skipped.put("backchannel-" + kind, "failed during the run: " + e);
      }
    }
    if (!list("nodes").isEmpty()) {
      if (opt.get("pg-url").isEmpty()) {
        skipped.put("scale", "no PostgreSQL server was started");
      } else {
        try {
          out.set("scale", scale());
        } catch (Exception e) {
          e.printStackTrace();
          skipped.put("scale", "failed during the run: " + e);
        }
      }
    }
    ObjectNode peers = out.putObject("peers");
    for (String peer : list("peers")) {
      if (skipped.has(peer)) {
        continue;
      }
      try {
        peers.set(peer, peer(peer));
      } catch (Exception e) {
        log(peer + " failed: " + e);
        skipped.put(peer, "failed during the run: " + e.getMessage());
      }
    }
    try {
      out.set("startup", startup());
    } catch (Exception e) {
      e.printStackTrace();
      skipped.put("startup", "failed during the run: " + e);
    }
    out.put("loadavg_end", Machine.loadavg());
    return out;
  }

  /**
   * 1, 2, 3 … serve nodes on one PostgreSQL: for each count, a fresh database, a backlog of {@code
   * events} published with every worker off, then that many nodes (distinct lease names) started
   * with their workers to drain it together. Reports deliveries/s and the CPU per delivery of the
   * nodes together and of the database.
   */
  ArrayNode scale() throws Exception {
    ArrayNode out = JSON.createArrayNode();
    for (String count : list("nodes")) {
      int n = Integer.parseInt(count);
      Store db = new Store("postgres");
      db.init();
      db.start(false);
      db.setUp();
      log("scale: " + n + " node(s), publishing " + num("events"));
      closedLoop(num("events"), num("clients"), db::publish);
      db.stop();
      resetReceiver();
      List<Process> nodes = new ArrayList<>();
      try {
        // started together, so that no node drains alone for long while the others start
        List<CompletableFuture<Process>> starting = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
          int port = freePort();
          String name = "node" + k;
          starting.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return db.startNode(port, true, name);
                    } catch (Exception e) {
                      throw new IllegalStateException(name + " did not start", e);
                    }
                  }));
          if (k == 1) {
            db.base = "http://127.0.0.1:" + port; // its /metrics counts every node's work
          }
        }
        for (CompletableFuture<Process> f : starting) {
          nodes.add(f.join());
        }
        ObjectNode r = db.drainOn(nodes, num("events"));
        r.put("nodes", n);
        log("scale: " + r);
        out.add(r);
      } finally {
        nodes.forEach(p -> Procs.stop(p, 30));
      }
    }
    return out;
  }

  // ---- the receiver, in its own process

  void startReceiver() throws Exception {
    int port = freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ReceiverMain.class.getName(),
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("receiver.log").toFile());
    receiverProcess = Procs.start(pb);
    receiver = "http://127.0.0.1:" + port;
    waitHealthy(receiver + "/stats", receiverProcess, 30);
  }

  JsonNode receiverStats() throws Exception {
    return JSON.readTree(get(receiver + "/stats"));
  }

  void resetReceiver() throws Exception {
    get(receiver + "/reset");
  }

  /** Plain POSTs straight to the receiver with the same client set-up: what the loop can carry. */
  ObjectNode rawReceiver(int n) throws Exception {
    resetReceiver();
    byte[] body = "{\"type\":\"bench.event\",\"data\":{\"i\":1}}".getBytes(StandardCharsets.UTF_8);
    HttpRequest req = post(receiver + "/raw", body, null);
    closedLoop(n / 2, num("clients"), i -> req);
    long t0 = System.nanoTime();
    closedLoop(n, num("clients"), i -> req);
    double s = (System.nanoTime() - t0) / 1e9;
    ObjectNode r = JSON.createObjectNode();
    r.put("posts", n);
    r.put("per_second", n / s);
    log("receiver alone: " + r);
    return r;
  }

  // ---- Backchannel on one store

  final class Store {
    final String kind;
    final Path dataDir;
    final String dbUrl;
    final String secretKey;
    final long dbPid;
    // settings for serve beyond the ones every run sets (the soak's retention, for one)
    final Map<String, String> env = new LinkedHashMap<>();
    String token;
    long appId;
    String flowToken;
    long actionThread;
    Process serve;
    String base;

    Store(String kind) throws Exception {
      this.kind = kind;
      dataDir = Files.createTempDirectory(work, kind + "-");
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      secretKey = Base64.getEncoder().encodeToString(key);
      if (kind.equals("postgres")) {
        dbUrl = newDatabase("backchannel");
        dbPid = Procs.pidFromFile(Path.of(opt.get("pg-pid-file")));
      } else {
        dbUrl = null;
        dbPid = 0;
      }
    }

    List<String> storeArgs() {
      return dbUrl == null ? List.of("--data-dir", dataDir.toString()) : List.of("--db", dbUrl);
    }

    ProcessBuilder command(List<String> args, boolean worker) {
      List<String> cmd = new ArrayList<>(serveJava());
      cmd.add(SERVE_MAIN);
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().keySet().removeIf(k -> k.startsWith("BACKCHANNEL_"));
      pb.environment().put("BACKCHANNEL_WORKER", Boolean.toString(worker));
      pb.environment().put("BACKCHANNEL_SECRET_KEY", secretKey);
      pb.environment().putAll(env);
      return pb;
    }

    void start(boolean worker) throws Exception {
      int port = freePort();
      serve = startNode(port, worker, "serve");
      base = "http://127.0.0.1:" + port;
    }

    /** A serve process on {@code port}, healthy; {@code name} is its lease name and log file. */
    Process startNode(int port, boolean worker, String name) throws Exception {
      List<String> args = new ArrayList<>(List.of("serve", "--dev", "--port", "" + port));
      args.addAll(storeArgs());
      ProcessBuilder pb =
          command(args, worker)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dataDir.resolve(name + ".log").toFile()));
      pb.environment().put("BACKCHANNEL_NODE", name);
      Process p = Procs.start(pb);
      waitHealthy("http://127.0.0.1:" + port + "/healthz", p, 120);
      return p;
    }

    void stop() {
      Procs.stop(serve, 30);
    }

    long serveTicks() {
      return Procs.treeTicks(serve.pid());
    }

    long dbTicks() {
      return dbPid == 0 ? 0 : Procs.treeTicks(dbPid);
    }

    ObjectNode measure() throws Exception {
      ObjectNode r = JSON.createObjectNode();
      init();
      start(false);
      setUp();
      log(
          kind
              + ": ingest (worker off), "
              + num("events")
              + " events, "
              + num("clients")
              + " clients");
      closedLoop(num("warmup"), num("clients"), this::publish);
      r.set("ingest", timed(num("events"), num("clients"), this::publish));
      log(kind + ": ingest " + r.get("ingest"));
      stop();
      long backlog = (long) num("warmup") + num("events");
      log(kind + ": drain of " + backlog + " (serve restarted with its worker)");
      r.set("drain", drain(backlog));
      log(kind + ": drain " + r.get("drain"));
      ArrayNode lat = r.putArray("latency");
      if (!list("rates").isEmpty() && num("latency-warmup-seconds") > 0) {
        ObjectNode warm =
            latency(Integer.parseInt(list("rates").get(0)), num("latency-warmup-seconds"));
        log(kind + ": latency warm-up, not counted " + warm);
      }
      for (String rate : list("rates")) {
        ObjectNode l = latency(Integer.parseInt(rate), num("seconds"));
        log(kind + ": latency " + l);
        lat.add(l);
      }
      r.set("action", action(num("presses")));
      log(kind + ": action " + r.get("action"));
      r.set("messages", messages(num("messages")));
      log(kind + ": messages " + r.get("messages"));
      stop();
      start(false);
      r.set("batch", batch(num("events")));
      log(kind + ": batch " + r.get("batch"));
      stop();
      return r;
    }

    void init() throws Exception {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "init", "--workspace", "Bench", "--name", "Bench", "--email", "b@example.com"));
      args.addAll(storeArgs());
      Process p = Procs.start(command(args, false));
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      for (String line : text.split("\n")) {
        if (line.startsWith("API token (shown once): ")) {
          token = line.substring(line.indexOf(": ") + 2).strip();
        }
      }
      if (token == null) {
        throw new IllegalStateException("init printed no token: " + text);
      }
    }

    /** A flow, an app with an endpoint at the receiver, a source, and a thread with an action. */
    void setUp() throws Exception {
      JsonNode flow = api("POST", "/api/v1/flows", "{\"name\":\"bench\"}");
      JsonNode app = api("POST", "/api/v1/apps", "{\"name\":\"bench\"}");
      appId = app.get("id").asLong();
      api(
          "POST",
          "/api/v1/apps/" + appId + "/endpoints",
          JSON.writeValueAsString(
              Map.of("url", receiver + "/hook", "max_in_flight", num("max-in-flight"))));
      JsonNode source =
          api(
              "POST",
              "/api/v1/sources",
              JSON.writeValueAsString(Map.of("app_id", appId, "flow_id", flow.get("id").asLong())));
      flowToken = source.get("flow_token").asText();
      Map<String, Object> thread =
          Map.of(
              "title",
              "bench",
              "actions",
              List.of(
                  Map.of(
                      "@type",
                      "UpdateAction",
                      "name",
                      "Press",
                      "target",
                      Map.of("@type", "EntryPoint", "urlTemplate", receiver + "/action"))));
      actionThread =
          message(Map.of("event", "activity", "external_thread_id", "actions", "thread", thread))
              .get("thread_id")
              .asLong();
      for (int k = 0; k < num("clients"); k++) {
        message(
            Map.of(
                "event",
                "activity",
                "external_thread_id",
                "m-" + k,
                "thread",
                Map.of("title", "m-" + k)));
      }
    }

    JsonNode message(Map<String, Object> fields) throws Exception {
      Map<String, Object> body = new LinkedHashMap<>(fields);
      body.put("flow_token", flowToken);
      body.put("author", Map.of("name", "bench"));
      body.put("title", "bench");
      HttpResponse<String> r =
          http.send(
              post(base + "/messages", JSON.writeValueAsBytes(body), null),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        throw new IllegalStateException("POST /messages: " + r.statusCode() + " " + r.body());
      }
      return JSON.readTree(r.body());
    }

    JsonNode api(String method, String path, String body) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            method + " " + path + ": " + r.statusCode() + " " + r.body());
      }
      return JSON.readTree(r.body());
    }

    HttpRequest publish(int i) {
      return publishAt(i, 0);
    }

    HttpRequest publishAt(int i, long t) {
      String body =
          "{\"type\":\"bench.event\",\"data\":{\"i\":"
              + i
              + (t == 0 ? "" : ",\"t\":" + t)
              + ",\"note\":\"an event of about a hundred bytes, like the peers' payload\"}}";
      return post(
          base + "/api/v1/apps/" + appId + "/events", body.getBytes(StandardCharsets.UTF_8), token);
    }

    /** N calls, {@code clients} at once, with the server's and the database's CPU over them. */
    ObjectNode timed(int n, int clients, Call call) throws Exception {
      long s0 = serveTicks();
      long d0 = dbTicks();
      long t0 = System.nanoTime();
      long failed = closedLoop(n, clients, call);
      double sec = (System.nanoTime() - t0) / 1e9;
      long s1 = serveTicks();
      long d1 = dbTicks();
      ObjectNode r = JSON.createObjectNode();
      r.put("calls", n);
      r.put("failed", failed);
      r.put("seconds", sec);
      r.put("per_second", n / sec);
      r.put("server_cpu_ms_per_call", (s1 - s0) * 10.0 / n);
      if (dbPid != 0) {
        r.put("db_cpu_ms_per_call", (d1 - d0) * 10.0 / n);
      }
      return r;
    }

    /**
     * serve is started with its worker on a backlog published with the worker off; the drain is
     * timed from the first receipt (the process's start-up is not in it) until the receiver has
     * every delivery and {@code /metrics} shows none pending or sending (every attempt recorded).
     */
    ObjectNode drain(long backlog) throws Exception {
      resetReceiver();
      start(true);
      return drainOn(List.of(serve), backlog);
    }

    /** The drain of a backlog by {@code nodes}, started with their workers; CPU of them all. */
    ObjectNode drainOn(List<Process> nodes, long backlog) throws Exception {
      LongSupplier serveTicks = () -> nodes.stream().mapToLong(p -> Procs.treeTicks(p.pid())).sum();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(num("drain-timeout"));
      long t0 = 0;
      long s0 = 0;
      long d0 = 0;
      long tLast = 0;
      while (System.nanoTime() < deadline) {
        long count = receiverStats().get("count").asLong();
        long now = System.nanoTime();
        if (t0 == 0 && count > 0) {
          t0 = now;
          s0 = serveTicks.getAsLong();
          d0 = dbTicks();
        }
        if (count >= backlog) {
          tLast = now;
          break;
        }
        Thread.sleep(10);
      }
      if (tLast == 0) {
        throw new IllegalStateException(kind + ": drain did not finish in time");
      }
      long tRecorded = 0;
      while (System.nanoTime() < deadline) {
        if (unsettled() == 0) {
          tRecorded = System.nanoTime();
          break;
        }
        Thread.sleep(10);
      }
      long s1 = serveTicks.getAsLong();
      long d1 = dbTicks();
      JsonNode st = receiverStats();
      ObjectNode r = JSON.createObjectNode();
      r.put("deliveries", backlog);
      r.put("received", st.get("count").asLong());
      r.put("signed", st.get("signed").asLong());
      r.put("seconds_to_last_receipt", (tLast - t0) / 1e9);
      r.put("seconds_to_all_recorded", (tRecorded - t0) / 1e9);
      r.put("per_second", backlog / ((tRecorded - t0) / 1e9));
      r.put("server_cpu_ms_per_delivery", (s1 - s0) * 10.0 / backlog);
      if (dbPid != 0) {
        r.put("db_cpu_ms_per_delivery", (d1 - d0) * 10.0 / backlog);
      }
      return r;
    }

    /** Pending plus sending deliveries, from {@code /metrics}. */
    long unsettled() throws Exception {
      long n = 0;
      for (String line : get(base + "/metrics").split("\n")) {
        if (line.startsWith("backchannel_deliveries{")
            && (line.contains("\"pending\"") || line.contains("\"sending\""))) {
          n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return n;
    }

    /**
     * Open loop: one publish every 1/rate s on its own schedule (sent asynchronously, so a slow
     * answer never delays the next); the event carries its scheduled time and the receiver
     * subtracts it from its arrival.
     */
    ObjectNode latency(int rate, int seconds) throws Exception {
      resetReceiver();
      int n = rate * seconds;
      Histogram publishMs = new ConcurrentHistogram(60_000_000L, 3);
      AtomicLong failed = new AtomicLong();
      AtomicReference<String> firstFailure = new AtomicReference<>();
      List<CompletableFuture<?>> calls = new ArrayList<>(n);
      Semaphore inFlight = new Semaphore(num("latency-in-flight"));
      long t0 = System.nanoTime() + 50_000_000L;
      for (int i = 0; i < n; i++) {
        long at = t0 + (long) (i * 1e9 / rate);
        long wait = at - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        inFlight.acquireUninterruptibly();
        calls.add(
            http.sendAsync(publishAt(i, at), HttpResponse.BodyHandlers.discarding())
                .whenComplete(
                    (resp, err) -> {
                      inFlight.release();
                      if (err != null || resp.statusCode() != 202) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(
                            null, err != null ? err.toString() : "HTTP " + resp.statusCode());
                      }
                      publishMs.recordValue((System.nanoTime() - at) / 1000);
                    }));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .get(120, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode st = receiverStats();
      while (st.get("count").asLong() < n - failed.get() && System.nanoTime() < deadline) {
        Thread.sleep(20);
        st = receiverStats();
      }
      ObjectNode r = JSON.createObjectNode();
      r.put("offered_per_second", rate);
      r.put("seconds", seconds);
      r.put("published", n - failed.get());
      r.put("failed", failed.get());
      if (firstFailure.get() != null) {
        r.put("first_failure", firstFailure.get());
      }
      r.put("received", st.get("count").asLong());
      r.set("event_to_receiver_ms", st.get("latency_ms"));
      r.set("publish_ms", percentiles(publishMs));
      return r;
    }

    /**
     * UpdateAction presses one at a time over one keep-alive connection, then the same number of
     * direct POSTs to the same receiver: the difference is what the press adds.
     */
    ObjectNode action(int presses) throws Exception {
      HttpRequest press =
          post(base + "/api/v1/threads/" + actionThread + "/actions/0", new byte[0], token);
      HttpRequest direct =
          post(
              receiver + "/action",
              "{\"@type\":\"UpdateAction\",\"name\":\"Press\",\"agent\":{\"@type\":\"Person\",\"name\":\"Bench\"}}"
                  .getBytes(StandardCharsets.UTF_8),
              null);
      HttpClient one = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(num("press-warmup-seconds"));
      int warmPresses = 0;
      for (; warmPresses < 200 || System.nanoTime() < warm; warmPresses++) {
        sequential(one, press, 0, 1, "\"done\"");
      }
      Histogram pressMs = sequential(one, press, 0, presses, "\"done\"");
      Histogram directMs = sequential(one, direct, 200, presses, null);
      ObjectNode r = JSON.createObjectNode();
      r.put("presses", presses);
      r.put("warm_up_presses", warmPresses);
      r.set("press_ms", percentiles(pressMs));
      r.set("direct_ms", percentiles(directMs));
      ObjectNode o = r.putObject("overhead_ms");
      for (String p : List.of("p50", "p99", "p99_9")) {
        o.put(p, r.get("press_ms").get(p).asDouble() - r.get("direct_ms").get(p).asDouble());
      }
      return r;
    }

    ObjectNode messages(int n) throws Exception {
      int clients = num("clients");
      return timed(
          n,
          clients,
          i -> {
            Map<String, Object> body =
                Map.of(
                    "flow_token",
                    flowToken,
                    "event",
                    "message",
                    "content",
                    "message " + i,
                    "external_thread_id",
                    "m-" + (i % clients),
                    "author",
                    Map.of("name", "bench"));
            return post(base + "/messages", JSON.writeValueAsBytes(body), null);
          });
    }

    /** The batch route, if this build has it: probed with one event; a 404 means not there. */
    ObjectNode batch(int n) throws Exception {
      ObjectNode r = JSON.createObjectNode();
      int size = num("batch-size");
      HttpResponse<String> probe = http.send(batchCall(0, 1), HttpResponse.BodyHandlers.ofString());
      if (probe.statusCode() == 404) {
        r.put("available", false);
        r.put("why", "POST /api/v1/apps/{id}/events/batch answered 404");
        return r;
      }
      if (probe.statusCode() / 100 != 2) {
        r.put("available", false);
        r.put("why", "the probe answered " + probe.statusCode() + ": " + probe.body());
        return r;
      }
      r.put("available", true);
      int calls = Math.max(1, n / size);
      closedLoop(Math.max(1, calls / 10), 8, i -> batchCall(i, size));
      ObjectNode t = timed(calls, 8, i -> batchCall(i, size));
      r.put("batch_size", size);
      r.put("events", (long) calls * size);
      r.put("per_second", t.get("per_second").asDouble() * size);
      r.put("server_cpu_ms_per_event", t.get("server_cpu_ms_per_call").asDouble() / size);
      if (t.has("db_cpu_ms_per_call")) {
        r.put("db_cpu_ms_per_event", t.get("db_cpu_ms_per_call").asDouble() / size);
      }
      r.put("failed_calls", t.get("failed").asLong());
      return r;
    }

    HttpRequest batchCall(int i, int size) {
      StringBuilder b = new StringBuilder("{\"events\":[");
      for (int k = 0; k < size; k++) {
        if (k > 0) {
          b.append(',');
        }
        b.append("{\"type\":\"bench.event\",\"data\":{\"i\":").append(i * size + k).append("}}");
      }
      b.append("]}");
      return post(
          base + "/api/v1/apps/" + appId + "/events/batch",
          b.toString().getBytes(StandardCharsets.UTF_8),
          token);
    }
  }

  // ---- peers: the same job on another queue, each its own process

  /**
   * A peer runs twice: {@code enqueue N} (its own enqueue API, {@code peer-clients} at once) and
   * {@code drain N} (its worker signs, POSTs to the receiver and records each attempt). Each prints
   * {@code START} and {@code END} around what it times, then waits for its standard input to close,
   * so that its CPU can be read while it is still there.
   */
  ObjectNode peer(String name) throws Exception {
    int n = num("events");
    String db = null;
    long dbPid;
    if (name.equals("bullmq")) {
      dbPid = Procs.pidFromFile(Path.of(opt.get("redis-pid-file")));
    } else {
      db = newDatabase(name.replace("-", "_"));
      dbPid = Procs.pidFromFile(Path.of(opt.get("pg-pid-file")));
    }
    ObjectNode r = JSON.createObjectNode();
    r.put("store", name.equals("bullmq") ? "redis" : "postgres");
    log(name + ": enqueue " + n);
    r.set("ingest", peerRun(name, "enqueue", n, db, dbPid));
    log(name + ": ingest " + r.get("ingest"));
    resetReceiver();
    r.set("drain", peerRun(name, "drain", n, db, dbPid));
    JsonNode st = receiverStats();
    ((ObjectNode) r.get("drain")).put("received", st.get("count").asLong());
    ((ObjectNode) r.get("drain")).put("signed", st.get("signed").asLong());
    log(name + ": drain " + r.get("drain"));
    if (st.get("count").asLong() < n) {
      throw new IllegalStateException(
          "the receiver got " + st.get("count").asLong() + " of " + n + " deliveries");
    }
    return r;
  }

  ObjectNode peerRun(String name, String mode, int n, String jdbcUrl, long dbPid) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (name.equals("db-scheduler")) {
      cmd.addAll(List.of(java, "-cp", System.getProperty("java.class.path")));
      cmd.add(DbSchedulerPeer.class.getName());
    } else {
      cmd.add("node");
      cmd.add(Path.of(opt.get("peers-dir"), name + ".mjs").toString());
    }
    cmd.add(mode);
    cmd.add(Integer.toString(n));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve(name + ".log").toFile()));
    Map<String, String> env = pb.environment();
    env.put("RECEIVER_URL", receiver + "/hook");
    env.put("CLIENTS", opt.get("peer-clients"));
    env.put("WORKERS", opt.get("peer-workers"));
    if (jdbcUrl != null) {
      env.put("JDBC_URL", jdbcUrl);
      env.put("PG_URL", pgUri(jdbcUrl));
    }
    env.put("REDIS_PORT", opt.get("redis-port"));
    Process p = Procs.start(pb);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long t0 = 0;
    long a0 = 0;
    long d0 = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(num("drain-timeout"));
    ObjectNode r = JSON.createObjectNode();
    String line;
    while ((line = out.readLine()) != null) {
      if (line.equals("START")) {
        t0 = System.nanoTime();
        a0 = Procs.treeTicks(p.pid());
        d0 = Procs.treeTicks(dbPid);
      } else if (line.startsWith("END")) {
        long t1 = System.nanoTime();
        long a1 = Procs.treeTicks(p.pid());
        long d1 = Procs.treeTicks(dbPid);
        double sec = (t1 - t0) / 1e9;
        r.put("count", n);
        r.put("seconds", sec);
        r.put("per_second", n / sec);
        r.put("app_cpu_ms_per_item", (a1 - a0) * 10.0 / n);
        r.put("db_cpu_ms_per_item", (d1 - d0) * 10.0 / n);
        r.put("detail", line.substring(3).strip());
        break;
      } else {
        log(name + ": " + line);
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    p.getOutputStream().close();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      Procs.stop(p, 5);
    } else {
      Procs.stop(p, 1);
    }
    if (!r.has("per_second")) {
      throw new IllegalStateException(name + " " + mode + " ended without END (see its log)");
    }
    return r;
  }

  // ---- start-up and idle memory: serve vs a bare Javalin hello-world, started the same way

  ObjectNode startup() throws Exception {
    ObjectNode r = JSON.createObjectNode();
    ArrayNode serveRuns = r.putArray("serve");
    ArrayNode helloRuns = r.putArray("hello");
    Path data = Files.createTempDirectory(work, "startup-");
    String launcher = opt.get("launcher");
    List<String> s = new ArrayList<>(launcher.isEmpty() ? serveJava() : List.of(launcher));
    if (launcher.isEmpty()) {
      s.add(SERVE_MAIN);
    }
    s.addAll(List.of("serve", "--dev", "--data-dir", data.toString(), "--port"));
    r.put("serve_started_by", launcher.isEmpty() ? "java -cp" : launcher);
    if (!launcher.isEmpty()) {
      // The launcher's first start records what serve loads, the second makes the AOT cache from
      // it: a user's first two starts after installing, not counted.
      log("startup: recording start " + startOnce(s, "/healthz", true));
      log("startup: cache-making start " + startOnce(s, "/healthz", false));
    }
    for (int i = 0; i < num("startups"); i++) {
      serveRuns.add(startOnce(s, "/healthz", i == 0 && launcher.isEmpty()));
      // the same java and flags, on serve's class path (Javalin and Jetty) plus this one class
      List<String> h = new ArrayList<>(serveJava());
      int cp = h.indexOf("-cp") + 1;
      h.set(cp, benchClasses() + File.pathSeparator + h.get(cp));
      h.add(HelloJavalin.class.getName());
      helloRuns.add(startOnce(h, "/healthz", false));
    }
    r.put("idle_seconds", num("idle-seconds"));
    log("startup " + r);
    return r;
  }

  ObjectNode startOnce(List<String> command, String health, boolean fresh) throws Exception {
    int port = freePort();
    List<String> cmd = new ArrayList<>(command);
    cmd.add(Integer.toString(port));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("startup.log").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("BACKCHANNEL_"));
    pb.environment().put("BACKCHANNEL_CACHE_DIR", work.resolve("aot-cache").toString());
    long t0 = System.nanoTime();
    Process p = Procs.start(pb);
    waitHealthy("http://127.0.0.1:" + port + health, p, 60);
    double ready = (System.nanoTime() - t0) / 1e9;
    Thread.sleep(num("idle-seconds") * 1000L);
    ObjectNode run = JSON.createObjectNode();
    run.put("fresh_data_dir", fresh);
    run.put("seconds_to_healthy", ready);
    run.put("idle_rss_mb", Machine.rssMb(p.pid(), "VmRSS"));
    Procs.stop(p, 20);
    return run;
  }

  // ---- shared pieces

  /** java with serve's own runtime class path (not the benchmark's), as the launcher runs it. */
  List<String> serveJava() {
    String cp = opt.get("serve-classpath");
    List<String> cmd = new ArrayList<>(List.of(java));
    String options = opt.get("serve-java-options").strip();
    if (!options.isEmpty()) {
      cmd.addAll(List.of(options.split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(cp.isEmpty() ? System.getProperty("java.class.path") : cp);
    return cmd;
  }

  /** This module's own classes (the first entry of the benchmark's class path). */
  static String benchClasses() {
    return System.getProperty("java.class.path").split(File.pathSeparator)[0];
  }

  /** A fresh database on the PostgreSQL server; its JDBC URL. */
  String newDatabase(String prefix) throws SQLException {
    String admin = opt.get("pg-url");
    String name = prefix + "_" + ProcessHandle.current().pid() + "_" + (++dbCounter);
    try (Connection c = DriverManager.getConnection(admin)) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    return admin.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
  }

  /** jdbc:postgresql://host:port/db?user=u into postgres://u@host:port/db for node. */
  static String pgUri(String jdbc) {
    URI u = URI.create(jdbc.substring("jdbc:".length()));
    String user = "postgres";
    if (u.getQuery() != null) {
      for (String kv : u.getQuery().split("&")) {
        if (kv.startsWith("user=")) {
          user = kv.substring(5);
        }
      }
    }
    return "postgres://" + user + "@" + u.getHost() + ":" + u.getPort() + u.getPath();
  }

  interface Call {
    HttpRequest request(int i) throws Exception;
  }

  /** n calls from {@code clients} threads, each waiting for its answer: the failures. */
  long closedLoop(int n, int clients, Call call) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicLong failed = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                      try {
                        HttpResponse<Void> r =
                            http.send(call.request(i), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() / 100 != 2 && failed.incrementAndGet() == 1) {
                          log("  first failure: HTTP " + r.statusCode());
                        }
                      } catch (Exception e) {
                        if (failed.incrementAndGet() == 1) {
                          log("  first failure: " + e);
                        }
                      }
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failed.get() > 0) {
      log("  " + failed.get() + " of " + n + " calls failed");
    }
    return failed.get();
  }

  Histogram sequential(HttpClient client, HttpRequest req, int warm, int n, String expect)
      throws Exception {
    Histogram h = new Histogram(60_000_000L, 3);
    for (int i = 0; i < warm + n; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
      long us = (System.nanoTime() - t0) / 1000;
      if (r.statusCode() / 100 != 2 || (expect != null && !r.body().contains(expect))) {
        throw new IllegalStateException("unexpected answer " + r.statusCode() + " " + r.body());
      }
      if (i >= warm) {
        h.recordValue(us);
      }
    }
    return h;
  }

  static ObjectNode percentiles(Histogram h) {
    ObjectNode p = JSON.createObjectNode();
    p.put("p50", h.getValueAtPercentile(50) / 1000.0);
    p.put("p99", h.getValueAtPercentile(99) / 1000.0);
    p.put("p99_9", h.getValueAtPercentile(99.9) / 1000.0);
    p.put("max", h.getMaxValue() / 1000.0);
    return p;
  }

  static HttpRequest post(String url, byte[] body, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b.build();
  }

  String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  void waitHealthy(String url, Process p, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(url + ": the process exited (" + p.exitValue() + ")");
      }
      try {
        if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException(url + " not healthy after " + seconds + " s");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
