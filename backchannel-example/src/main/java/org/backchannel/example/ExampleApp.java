package org.backchannel.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.backchannel.sdk.Answer;
import org.backchannel.sdk.Answers;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.ClaimToken;
import org.backchannel.sdk.Event;
import org.backchannel.sdk.JdkHttpHandlers;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.sdk.UpdateActions;
import org.backchannel.sdk.VerificationException;

/**
 * A small app that answers all three of Backchannel's contracts with {@code backchannel-sdk} and
 * the JDK's built-in HTTP server:
 *
 * <ul>
 *   <li>{@code /actions?thread=<external_thread_id>}: UpdateAction calls (Flowdock). A person who
 *       has not linked their account gets an authentication challenge; once linked, the app posts a
 *       new activity to the thread that changes its status, and answers 200.
 *   <li>{@code /auth?claim=<token>}: where the challenge sends the person; verifies the claim and
 *       links them.
 *   <li>{@code /events}: app events (Flock): {@code app.install}, {@code client.slashCommand},
 *       {@code chat.generateUrlPreview}.
 *   <li>{@code /flowdash}: workflow API Call steps (Flowdash), verified with Standard Webhooks; the
 *       answer updates one of the task's fields.
 * </ul>
 *
 * <p>Everything is kept in memory. Run {@link #main} with the environment variables listed in
 * {@link Settings#fromEnvironment}.
 */
public final class ExampleApp implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ExampleApp.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the app needs to know.
   *
   * @param backchannel the Backchannel server, e.g. {@code http://127.0.0.1:8080}
   * @param appSecret the secret Backchannel showed when the app was registered
   * @param flowToken the flow token of the app's source, to post to {@code /messages}
   * @param port where the app listens on 127.0.0.1; 0 for any free port
   * @param publicUrl the app's URL as people's browsers reach it; null for {@code
   *     http://127.0.0.1:<port>}
   * @param claimSecret the app's own secret for claim tokens; null for a random one
   * @param taskField the workflow task field the app fills in
   */
  public record Settings(
      URI backchannel,
      AppSecret appSecret,
      String flowToken,
      int port,
      String publicUrl,
      AppSecret claimSecret,
      String taskField) {

    /**
     * Reads {@code BACKCHANNEL_URL} (default {@code http://127.0.0.1:8080}), {@code APP_SECRET}
     * (required), {@code FLOW_TOKEN} (required to update threads), {@code PORT} (default 9000),
     * {@code PUBLIC_URL}, {@code CLAIM_SECRET} and {@code TASK_FIELD} (default {@code Notes}).
     */
    public static Settings fromEnvironment(Map<String, String> env) {
      String secret = env.get("APP_SECRET");
      if (secret == null || secret.isBlank()) {
        throw new IllegalArgumentException("APP_SECRET is required (the app's secret)");
      }
      String claim = env.get("CLAIM_SECRET");
      return new Settings(
          URI.create(env.getOrDefault("BACKCHANNEL_URL", "http://127.0.0.1:8080")),
          AppSecret.of(secret),
          env.get("FLOW_TOKEN"),
          Integer.parseInt(env.getOrDefault("PORT", "9000")),
          env.get("PUBLIC_URL"),
          claim == null ? null : AppSecret.of(claim),
          env.getOrDefault("TASK_FIELD", "Notes"));
    }
  }

  /** A person's linked account: the Backchannel user id and when they linked it. */
  public record Link(String userId, Instant linkedAt) {}

  private final Settings settings;
  private final List<AppSecret> secrets;
  private final AppSecret claimSecret;
  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String publicUrl;

  /** Linked accounts by Backchannel user id. */
  private final Map<String, Link> links = new ConcurrentHashMap<>();

  /** Claims already accepted (jti to expiry), so that each is used once. */
  private final Map<String, Instant> usedClaims = new ConcurrentHashMap<>();

  /** Install tokens by user id: the app's credential to act as each person. */
  private final Map<String, String> installTokens = new ConcurrentHashMap<>();

  private ExampleApp(Settings settings, Clock clock) throws IOException {
    this.settings = settings;
    this.secrets = List.of(settings.appSecret());
    this.claimSecret =
        settings.claimSecret() != null ? settings.claimSecret() : AppSecret.generate();
    this.clock = clock;
    this.server =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 0);
    server.setExecutor(executor);
    this.publicUrl =
        settings.publicUrl() != null
            ? stripSlash(settings.publicUrl())
            : "http://127.0.0.1:" + server.getAddress().getPort();

    server.createContext(
        "/actions",
        exchange -> {
          String thread = query(exchange.getRequestURI()).get("thread");
          JdkHttpHandlers.updateActions(secrets, clock, call -> onAction(call, thread))
              .handle(exchange);
        });
    server.createContext("/auth", this::onAuth);
    server.createContext("/events", JdkHttpHandlers.events(secrets, clock, this::onEvent));
    server.createContext("/flowdash", this::onApiCall);
    server.start();
  }

  /** Starts the app on 127.0.0.1. */
  public static ExampleApp start(Settings settings, Clock clock) {
    try {
      return new ExampleApp(settings, clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) {
    Settings settings;
    try {
      settings = Settings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("example app: " + e.getMessage());
      System.exit(2);
      return;
    }
    ExampleApp app = start(settings, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(app::close));
    System.out.println("example app listening on " + app.url());
    System.out.println(
        "  UpdateAction target: " + app.url() + "/actions?thread=<external_thread_id>");
    System.out.println("  event listener:      " + app.url() + "/events");
    System.out.println("  workflow API call:   " + app.url() + "/flowdash");
  }

  /** The app's URL, e.g. {@code http://127.0.0.1:9000}. */
  public String url() {
    return publicUrl;
  }

  /** The person's linked account, or null. */
  public Link link(String userId) {
    return links.get(userId);
  }

  /** The install token the app received for the person, or null. */
  public String installToken(String userId) {
    return installTokens.get(userId);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- UpdateAction (Flowdock)

  private Answer onAction(UpdateActions.Verified call, String thread) {
    if (!links.containsKey(call.userId())) {
      // 401 with www-authenticate: Flowdock-Token url=<public url>/auth?claim=<15-minute JWT>
      return Answers.authenticationChallenge(
          publicUrl + "/auth", claimSecret, call.userId(), clock.instant());
    }
    if (thread == null || settings.flowToken() == null) {
      return Answers.ok(); // nothing to update
    }
    String who = call.action().agent() != null ? call.action().agent().name() : call.userId();
    ObjectNode activity = JSON.createObjectNode();
    activity.put("flow_token", settings.flowToken());
    activity.put("event", "activity");
    activity.putObject("author").put("name", "Example app");
    activity.put("title", call.action().name() + " by " + who);
    activity.put("external_thread_id", thread);
    ObjectNode status = activity.putObject("thread").putObject("status");
    status.put("color", "blue");
    status.put("value", "assigned to " + who);
    HttpResponse<String> posted = post("/messages", activity);
    if (posted == null || posted.statusCode() / 100 != 2) {
      return Answers.json(502, Map.of("error", "could not update the thread"));
    }
    return Answers.ok();
  }

  /**
   * Where the authentication challenge sends the person. A real app would first sign them in and
   * check the claim against that account with {@link ClaimToken#verify(AppSecret, String, String,
   * Instant)}; this example has no accounts of its own, so it links the person the claim names.
   */
  private void onAuth(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
    }
    Instant now = clock.instant();
    usedClaims.values().removeIf(expiry -> expiry.isBefore(now));
    String token = query(exchange.getRequestURI()).get(ClaimToken.QUERY_PARAMETER);
    Answer answer;
    try {
      ClaimToken.Claim claim = ClaimToken.verify(List.of(claimSecret), token, now);
      if (usedClaims.putIfAbsent(claim.jti(), claim.expiresAt()) != null) {
        answer = html(409, "<h1>This link was already used</h1><p>Select the action again.</p>");
      } else {
        links.put(claim.userId(), new Link(claim.userId(), now));
        answer =
            html(
                200,
                "<h1>Account linked</h1><p>Go back to Backchannel and select the action again.</p>");
      }
    } catch (VerificationException e) {
      answer = html(403, "<h1>This link is not valid</h1><p>" + e.check() + "</p>");
    }
    JdkHttpHandlers.write(exchange, answer);
  }

  // ---- App events (Flock)

  private Answer onEvent(Event event) {
    return switch (event) {
      case Event.AppInstall install -> {
        installTokens.put(install.userId(), install.token());
        yield Answers.ok(); // anything but 200 fails the install
      }
      case Event.AppUninstall uninstall -> {
        installTokens.remove(uninstall.userId());
        yield Answers.ok();
      }
      case Event.ClientSlashCommand command ->
          Answers.slashCommand(
              truncate("Example app got: " + command.text(), Answers.SLASH_COMMAND_MAX));
      case Event.ChatGenerateUrlPreview preview ->
          Answers.urlPreview(
              new Answers.Attachment(
                  "Preview of " + lastSegment(preview.url()),
                  preview.url(),
                  null,
                  "<flockml>Previewed by the <b>example app</b></flockml>"));
      default -> Answers.ok();
    };
  }

  // ---- Workflow API calls (Flowdash)

  private void onApiCall(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(JdkHttpHandlers.MAX_BODY_BYTES + 1);
    }
    Answer answer;
    if (body.length > JdkHttpHandlers.MAX_BODY_BYTES) {
      answer = Answers.json(413, Map.of("error", "request body too large"));
    } else {
      try {
        // Verify the exact bytes received, before parsing them.
        StandardWebhooks.verify(
            exchange.getRequestHeaders()::getFirst,
            body,
            secrets,
            clock.instant(),
            StandardWebhooks.DEFAULT_TOLERANCE);
        JsonNode call = JSON.readTree(body); // {"action", "user", "task"}
        String email = call.path("user").path("email").asText("someone");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(
            settings.taskField(),
            "Checked by the example app: " + call.path("action").asText() + " by " + email);
        answer = Answers.taskUpdate(fields);
      } catch (VerificationException e) {
        answer =
            Answers.json(403, Map.of("error", "verification failed", "check", e.check().name()));
      } catch (IOException e) {
        answer = Answers.json(400, Map.of("error", "the body is not JSON"));
      }
    }
    JdkHttpHandlers.write(exchange, answer);
  }

  // ---- helpers

  private HttpResponse<String> post(String path, JsonNode body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(settings.backchannel().resolve(path))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        LOG.log(
            System.Logger.Level.WARNING,
            "POST " + path + " -> " + response.statusCode() + " " + response.body());
      }
      return response;
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "POST " + path + " failed", e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Answer html(int status, String body) {
    return new Answer(
        status,
        Map.of("content-type", "text/html; charset=utf-8"),
        ("<!doctype html><meta charset=utf-8><title>Example app</title>" + body)
            .getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> query(URI uri) {
    Map<String, String> values = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      values.putIfAbsent(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return values;
  }

  private static String truncate(String text, int codePoints) {
    if (text.codePointCount(0, text.length()) <= codePoints) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, codePoints - 1)) + "…";
  }

  private static String lastSegment(String url) {
    String path = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
