package org.backchannel.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A fast app on loopback: reads the whole body, answers 204 at once and counts. A body carrying
 * {@code "t":<nanoTime>} (the moment an event was offered) adds the time from then to this
 * request's arrival to {@link #latency}; {@link #lastArrival} and {@link #lastHandling} let the
 * interactive measurement subtract the app's own time. {@code bench/run --external} runs it as its
 * own process ({@link ReceiverMain}) and reads it over GET.
 */
final class Receiver implements AutoCloseable {
  final LongAdder count = new LongAdder();
  final LongAdder signed = new LongAdder();
  final Histogram latency = new ConcurrentHistogram(60_000_000L, 3); // microseconds
  final AtomicLong lastArrival = new AtomicLong();
  final AtomicLong lastHandling = new AtomicLong();
  private final Server server;

  Receiver() {
    this(0);
  }

  Receiver(int port) {
    QueuedThreadPool pool = new QueuedThreadPool(64, 8);
    pool.setName("receiver");
    server = new Server(pool);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            long arrived = System.nanoTime();
            if (HttpMethod.GET.is(request.getMethod())) {
              control(Request.getPathInContext(request), response, callback);
              return true;
            }
            if (request.getHeaders().contains("webhook-signature")) {
              signed.increment();
            }
            lastArrival.set(arrived);
            ByteBuffer body = Content.Source.asByteBuffer(request);
            long offered = offeredAt(body);
            if (offered > 0) {
              latency.recordValue(Math.max(0, (arrived - offered) / 1000));
            }
            count.increment();
            response.setStatus(204);
            lastHandling.set(System.nanoTime() - arrived);
            callback.succeeded();
            return true;
          }
        });
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the receiver", e);
    }
  }

  /**
   * GET answers what was counted (nothing else is counted for a GET), so that a load client in
   * another process can read it: {@code /stats} as JSON, {@code /reset} zeroes every counter.
   */
  private void control(String path, Response response, Callback callback) {
    if (path.equals("/reset")) {
      count.reset();
      signed.reset();
      latency.reset();
    }
    String body =
        String.format(
            Locale.ROOT,
            "{\"count\":%d,\"signed\":%d,\"last_arrival_ns\":%d,\"last_handling_ns\":%d,"
                + "\"latency_ms\":{\"count\":%d,\"p50\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,"
                + "\"max\":%.3f}}",
            count.sum(),
            signed.sum(),
            lastArrival.get(),
            lastHandling.get(),
            latency.getTotalCount(),
            latency.getValueAtPercentile(50) / 1000.0,
            latency.getValueAtPercentile(99) / 1000.0,
            latency.getValueAtPercentile(99.9) / 1000.0,
            latency.getMaxValue() / 1000.0);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }

  /**
   * The {@code "t":} number in the body, or 0. Senders in other processes on the same machine use
   * the same monotonic clock (CLOCK_MONOTONIC, which {@link System#nanoTime} reads on Linux).
   */
  static long offeredAt(ByteBuffer body) {
    String s = StandardCharsets.UTF_8.decode(body).toString();
    int i = s.indexOf("\"t\":");
    if (i < 0) {
      return 0;
    }
    int start = i + 4;
    while (start < s.length() && s.charAt(start) == ' ') {
      start++;
    }
    int end = start;
    while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '-')) {
      end++;
    }
    return end == start ? 0 : Long.parseLong(s.substring(start, end));
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // going away
    }
  }
}
