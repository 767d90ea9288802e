package org.backchannel.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server on loopback that records every request it gets and answers as the test tells
 * it: a status, headers and body, or never (to test timeouts).
 */
public final class RecordingReceiver implements AutoCloseable {
  /** A request as it arrived. Header names are lower case. */
  public record Recorded(
      String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** How to answer; {@link #never()} holds the request open until the receiver closes. */
  public record Answer(int status, Map<String, String> headers, byte[] body, boolean hang) {
    public static Answer status(int status) {
      return new Answer(status, Map.of(), new byte[0], false);
    }

    public static Answer json(int status, String json) {
      return new Answer(
          status,
          Map.of("Content-Type", "application/json"),
          json.getBytes(StandardCharsets.UTF_8),
          false);
    }

    public static Answer never() {
      return new Answer(0, Map.of(), new byte[0], true);
    }

    public Answer withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Answer(status, h, body, hang);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final LinkedBlockingQueue<Recorded> arrivals = new LinkedBlockingQueue<>();
  private final List<Recorded> all = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Function<Recorded, Answer> answers = r -> Answer.json(200, "{}");

  private RecordingReceiver(HttpServer server) {
    this.server = server;
  }

  /** Starts on a free loopback port. */
  public static RecordingReceiver start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      RecordingReceiver receiver = new RecordingReceiver(server);
      server.createContext("/", receiver::handle);
      server.setExecutor(receiver.executor);
      server.start();
      return receiver;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the receiver", e);
    }
  }

  /** The URL of {@code path} on this receiver. */
  public URI url(String path) {
    return URI.create(
        "http://127.0.0.1:"
            + server.getAddress().getPort()
            + (path.startsWith("/") ? "" : "/")
            + path);
  }

  /** Answers every following request with {@code answer}. */
  public RecordingReceiver answer(Answer answer) {
    return answer(r -> answer);
  }

  /** Answers every following request as {@code how} decides. */
  public RecordingReceiver answer(Function<Recorded, Answer> how) {
    this.answers = how;
    return this;
  }

  /** The next request, waiting up to {@code timeout} for it to arrive. */
  public Recorded take(Duration timeout) {
    try {
      Recorded r = arrivals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (r == null) {
        throw new AssertionError("no request arrived within " + timeout);
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a request", e);
    }
  }

  /** Every request so far, in arrival order. */
  public List<Recorded> requests() {
    return new ArrayList<>(all);
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    exchange
        .getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    URI uri = exchange.getRequestURI();
    Recorded recorded =
        new Recorded(exchange.getRequestMethod(), uri.getPath(), uri.getRawQuery(), headers, body);
    all.add(recorded);
    arrivals.add(recorded);
    Answer answer = answers.apply(recorded);
    if (answer.hang()) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
      return;
    }
    answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    exchange.sendResponseHeaders(
        answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
    if (answer.body().length > 0) {
      exchange.getResponseBody().write(answer.body());
    }
    exchange.close();
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
