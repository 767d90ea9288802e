package org.backchannel.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.backchannel.core.Json;
import org.backchannel.core.Problem;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.delivery.DeliveryWorker;
import org.backchannel.core.delivery.JettyHttpSender;
import org.backchannel.core.delivery.RetryPolicy;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.server.api.Api;
import org.backchannel.server.oauth.OAuthRoutes;
import org.backchannel.server.web.Guard;
import org.backchannel.server.web.Web;
import org.backchannel.server.web.WebArea;
import org.backchannel.store.JdbcStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Backchannel: store, services and HTTP server, wired by hand. */
public final class BackchannelServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackchannelServer.class);

  /** Where the process is in its life, as {@code /readyz} reports it. */
  private enum Phase {
    STARTING,
    READY,
    STOPPING
  }

  private final Store store;
  private final boolean ownsStore;
  private final JettyHttpSender sender;
  private final Backchannel backchannel;
  private final Javalin http;
  private final Guard guard;
  private final Duration grace;
  private final Duration delay;
  private volatile Phase phase = Phase.STARTING;
  private final DisabledEndpointMail mail;
  // The SDK this server made from OTEL_* variables, closed (its spans flushed) last; null if none.
  private final OpenTelemetrySdk ownTelemetry;

  /**
   * @param starting called with the port once the server listens, before it reports ready (tests
   *     look at it starting)
   * @param telemetry what traces requests and deliveries; null: as the {@code OTEL_*} variables say
   *     (off without them)
   */
  private BackchannelServer(
      Config config,
      Store store,
      boolean ownsStore,
      InstantSource clock,
      IntConsumer starting,
      OpenTelemetry telemetry) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.sender = new JettyHttpSender(config.addressPolicy(), JettyHttpSender.DEFAULT_MAX_BODY);
    this.backchannel = new Backchannel(store, sender, secretBox(config), clock, settings(config));
    this.ownTelemetry =
        telemetry == null ? Tracing.fromEnvironment(System.getenv(), System.getProperties()) : null;
    OpenTelemetry tracing = telemetry != null ? telemetry : ownTelemetry;
    if (tracing != null) {
      LOG.info("tracing requests and deliveries with OpenTelemetry");
      backchannel.engine().trace(tracing);
    }
    Metrics metrics = new Metrics(store, clock);
    backchannel.engine().observe(metrics);
    backchannel.retention().observe(metrics);
    Api api = new Api(backchannel, store.kind());
    // http redirect URIs to loopback are for developing an app against a --dev server only.
    backchannel.authorizations().allowLoopback(config.dev());
    WebAccounts accounts = new WebAccounts(store, clock);
    this.guard = Web.guard(accounts, backchannel);
    this.http =
        Javalin.create(
            c -> {
              c.jetty.host = config.host();
              c.jetty.port = config.port();
              c.concurrency.useVirtualThreads = true;
              c.startup.showJavalinBanner = false;
              c.startup.showOldJavalinVersionWarning = false;
              c.http.maxRequestSize = Api.MAX_BODY;
              c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors()));
              if (tracing != null) {
                Tracing.install(c, tracing);
              }
              api.register(c.routes);
              new OAuthRoutes(backchannel, config.publicUrl()).register(c.routes);
              c.routes.get(
                  "/metrics",
                  ctx -> {
                    if (!metricsAllowed(config.metricsToken(), ctx.header("Authorization"))) {
                      throw new Problem.Unauthorized(
                          "/metrics needs Authorization: Bearer and the metrics_token setting");
                    }
                    ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape());
                  });
              c.routes.get("/readyz", this::readyz);
              for (WebArea area : Web.areas(backchannel, accounts, clock, config.publicUrl())) {
                area.register(c.routes, guard);
              }
              // A failing page gets a page, a failing API call JSON; the router's own refusals
              // (no such route, too large) too, which Javalin answers in plain text unless their
              // class has a handler of its own.
              c.routes.exception(Exception.class, (e, ctx) -> failed(guard, e, ctx));
              c.routes.exception(HttpResponseException.class, (e, ctx) -> failed(guard, e, ctx));
            });
    http.start();
    this.grace = config.shutdownGrace();
    this.delay = config.shutdownDelay();
    if (config.smtp() != null) {
      this.mail =
          new DisabledEndpointMail(
              config.smtp(), backchannel.deliveries(), config.baseUrl(http.port()), metrics);
      backchannel.engine().observe(mail);
    } else {
      this.mail = null;
    }
    if (config.worker()) {
      backchannel.worker().start();
      // Nodes that send background deliveries also remove expired ones, one node at a time.
      backchannel.retention().start();
    }
    backchannel.workflows().resume();
    starting.accept(http.port());
    phase = Phase.READY;
  }

  /**
   * 200 only when this process takes work: started, not stopping, and its store answers with the
   * schema it needs; else 503 saying why. Unlike {@code /healthz}, it asks the store (one query).
   */
  private void readyz(Context ctx) {
    Phase now = phase;
    Optional<String> problem =
        switch (now) {
          case STARTING -> Optional.of("the server is starting");
          case STOPPING -> Optional.of("the server is stopping");
          case READY -> store.unready();
        };
    String status =
        switch (now) {
          case STARTING -> "starting";
          case STOPPING -> "stopping";
          case READY -> problem.isEmpty() ? "ready" : "unready";
        };
    ObjectNode body =
        Json.MAPPER.createObjectNode().put("status", status).put("store", store.kind());
    problem.ifPresent(p -> body.put("message", p));
    ctx.status(problem.isEmpty() ? 200 : 503)
        .contentType("application/json")
        .result(Json.write(body));
  }

  private static void failed(Guard guard, Exception e, Context ctx) {
    if (Api.gone(ctx)) {
      return; // the request has ended (a live stream closed): nobody to answer
    }
    if (Guard.owns(ctx.path())) {
      guard.failed(ctx, e);
    } else {
      Api.failed(ctx, e);
    }
  }

  /**
   * Whether a scrape may read the metrics: always without {@code metrics_token}; with it, only with
   * that bearer token, compared in constant time.
   */
  static boolean metricsAllowed(String token, String authorization) {
    if (token == null) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(
        token.getBytes(StandardCharsets.UTF_8),
        authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
  }

  private static final Backchannel.Settings DEFAULTS = Backchannel.Settings.defaults();

  static Backchannel.Settings settings(Config config) {
    return new Backchannel.Settings(
        config.interactiveTimeout(),
        config.backgroundTimeout(),
        new RetryPolicy(config.retrySchedule(), DEFAULTS.retry().jitter(), config.disableAfter()),
        new DeliveryWorker.Settings(
            config.node(),
            Math.min(DEFAULTS.worker().batch(), config.workerConcurrency()),
            config.workerConcurrency(),
            config.lease(),
            DEFAULTS.worker().poll()),
        new Retention.Settings(config.retention(), config.purgeInterval(), config.purgeBatch()));
  }

  /** Opens (and migrates) the configured store, then starts serving. */
  public static BackchannelServer start(Config config, InstantSource clock) {
    Store store = openStore(config);
    try {
      return new BackchannelServer(config, store, true, clock, port -> {}, null);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Serves over a store the caller owns (tests, several servers on one database). */
  public static BackchannelServer start(Config config, Store store, InstantSource clock) {
    return new BackchannelServer(config, store, false, clock, port -> {}, null);
  }

  /** Like {@link #start(Config, Store, InstantSource)}, traced by {@code telemetry} (tests). */
  static BackchannelServer start(
      Config config, Store store, InstantSource clock, OpenTelemetry telemetry) {
    return new BackchannelServer(config, store, false, clock, port -> {}, telemetry);
  }

  /** Like {@link #start(Config, Store, InstantSource)}, calling {@code starting} as it starts. */
  static BackchannelServer start(
      Config config, Store store, InstantSource clock, IntConsumer starting) {
    return new BackchannelServer(config, store, false, clock, starting, null);
  }

  static Store openStore(Config config) {
    if (config.embedded()) {
      try {
        Files.createDirectories(config.dataDir());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
      }
    }
    return JdbcStore.open(config.dbUrl());
  }

  /**
   * The key that encrypts app secrets: configured, or for the embedded store kept in {@code
   * <data>/secret.key}, made on first start and readable by its owner only.
   */
  static SecretBox secretBox(Config config) {
    if (config.secretKey() != null) {
      return new SecretBox(Base64.getDecoder().decode(config.secretKey()));
    }
    Path file = keyFile(config);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(config.dataDir());
        Files.writeString(file, SecretBox.newKey() + "\n", StandardCharsets.US_ASCII);
        try {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the directory's own protection has to do
        }
      }
      return new SecretBox(Base64.getDecoder().decode(Files.readString(file).strip()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  /** Where the embedded store's secret key is kept when {@code secret_key} is not set. */
  static Path keyFile(Config config) {
    return config.dataDir().resolve("secret.key");
  }

  public int port() {
    return http.port();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** A route the router serves: its method and its path pattern, such as {@code /flows/{id}}. */
  record Route(String method, String path) {}

  /** Every HTTP route, as the router itself lists them: tests that must cover each start here. */
  List<Route> routes() {
    return http.unsafe.internalRouter.allHttpHandlers().stream()
        .map(h -> h.endpoint)
        .filter(e -> e.method.isHttpMethod())
        .map(e -> new Route(e.method.name(), e.path))
        .toList();
  }

  public Backchannel backchannel() {
    return backchannel;
  }

  public Store store() {
    return store;
  }

  /**
   * Stops: first reports not ready and goes on serving for {@code shutdown_delay}, so that a load
   * balancer stops sending here before requests are refused; then stops the HTTP server, lets the
   * worker finish what it is sending for up to {@code shutdown_grace}, and closes the store.
   */
  @Override
  public void close() {
    phase = Phase.STOPPING;
    boolean interrupted = false;
    if (delay.isPositive()) {
      LOG.info("not ready; serving {} more before stopping", Config.text(delay));
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        interrupted = true; // ends the delay only: the rest of the stop goes as it would
      }
    }
    guard.close();
    http.stop();
    backchannel.retention().close();
    backchannel.worker().stop(grace);
    if (mail != null) {
      mail.stop(grace); // after the worker: what it disabled while stopping is still told
    }
    backchannel.workflows().close();
    sender.close();
    if (ownsStore) {
      store.close();
    }
    if (ownTelemetry != null) {
      ownTelemetry.close(); // exports the spans still buffered
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
