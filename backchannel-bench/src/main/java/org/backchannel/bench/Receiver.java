package org.backchannel.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
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
 * interactive measurement subtract the app's own time.
 */
final class Receiver implements AutoCloseable {
  final LongAdder count = new LongAdder();
  final Histogram latency = new ConcurrentHistogram(60_000_000L, 3); // microseconds
  final AtomicLong lastArrival = new AtomicLong();
  final AtomicLong lastHandling = new AtomicLong();
  private final Server server;

  Receiver() {
    QueuedThreadPool pool = new QueuedThreadPool(64, 8);
    pool.setName("receiver");
    server = new Server(pool);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            long arrived = System.nanoTime();
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

  /** The {@code "t":} number in the body, or 0. */
  static long offeredAt(ByteBuffer body) {
    String s = StandardCharsets.UTF_8.decode(body).toString();
    int i = s.indexOf("\"t\":");
    if (i < 0) {
      return 0;
    }
    int start = i + 4;
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
