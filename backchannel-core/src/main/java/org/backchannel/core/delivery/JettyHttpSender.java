package org.backchannel.core.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The {@link HttpSender} on Jetty's client. Host names are resolved once, here, and every address
 * is vetted by the {@link AddressPolicy} before the client connects to exactly those addresses, so
 * a name that resolves differently a second time cannot slip past the check.
 */
public final class JettyHttpSender implements HttpSender {
  /** How much of an answer body is kept; the rest is not read. */
  public static final int DEFAULT_MAX_BODY = 64 * 1024;

  // Started in the background: building and starting the client costs a few hundred ms of
  // start-up (proxy and TLS set-up) that nothing needs before the first call.
  private final CompletableFuture<HttpClient> client;
  private final int maxBody;

  /** Looks a host name up; the system resolver unless a test supplies another. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  public JettyHttpSender(AddressPolicy policy, int maxBody) {
    this(policy, maxBody, InetAddress::getAllByName);
  }

  public JettyHttpSender(AddressPolicy policy, int maxBody, Resolver resolver) {
    this.maxBody = maxBody;
    this.client = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("backchannel-http-start")
        .start(
            () -> {
              try {
                client.complete(start(policy, resolver));
              } catch (RuntimeException | Error e) {
                client.completeExceptionally(e);
              }
            });
  }

  private static HttpClient start(AddressPolicy policy, Resolver resolver) {
    HttpClient client = new HttpClient();
    client.setFollowRedirects(false);
    client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "Backchannel"));
    client.setMaxConnectionsPerDestination(256);
    VirtualThreadPool pool = new VirtualThreadPool();
    pool.setName("backchannel-http");
    client.setExecutor(pool);
    var resolving = Executors.newVirtualThreadPerTaskExecutor();
    client.setSocketAddressResolver(
        (host, port, context, promise) ->
            resolving.execute(
                () -> {
                  try {
                    promise.succeeded(vetted(policy, resolver, host, port));
                  } catch (Exception e) {
                    promise.failed(e);
                  }
                }));
    try {
      client.start();
      // Answers are the app's to give and ours to interpret: no automatic redirect, 401 or 100
      // handling (Jetty's would reject a 401 without WWW-Authenticate before we could read it).
      // Start adds the defaults, so they are removed after it.
      client.getProtocolHandlers().clear();
    } catch (Exception e) {
      throw new IllegalStateException("the HTTP client did not start: " + e.getMessage(), e);
    }
    return client;
  }

  /** The started client, waiting for the start if it is still under way. */
  private HttpClient client() {
    try {
      return client.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  static List<InetSocketAddress> vetted(
      AddressPolicy policy, Resolver resolver, String host, int port) throws UnknownHostException {
    List<InetSocketAddress> out = new ArrayList<>();
    for (InetAddress address : resolver.resolve(host)) {
      if (policy.permits(address)) {
        out.add(new InetSocketAddress(address, port));
      }
    }
    if (out.isEmpty()) {
      throw new BlockedAddressException(host);
    }
    return out;
  }

  @Override
  public Exchange send(OutboundRequest request, Duration timeout) {
    long start = System.nanoTime();
    Request req =
        client()
            .newRequest(request.uri())
            .method(request.method())
            .followRedirects(false)
            .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    req.headers(
        h -> {
          h.remove(HttpHeader.ACCEPT_ENCODING);
          request.headers().forEach(h::put);
        });
    if (request.body() != null && request.body().length > 0) {
      String type = request.headers().getOrDefault("Content-Type", "application/json");
      req.body(new BytesRequestContent(type, request.body()));
    }
    InputStreamResponseListener listener = new InputStreamResponseListener();
    req.send(listener);
    try {
      Response response = listener.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, String> headers = new LinkedHashMap<>();
      for (HttpField field : response.getHeaders()) {
        headers.merge(
            field.getName().toLowerCase(Locale.ROOT), field.getValue(), (a, b) -> a + ", " + b);
      }
      byte[] body;
      boolean truncated;
      try (InputStream in = listener.getInputStream()) {
        byte[] read = in.readNBytes(maxBody + 1);
        truncated = read.length > maxBody;
        body = truncated ? java.util.Arrays.copyOf(read, maxBody) : read;
      }
      if (truncated) {
        req.abort(new IOException("answer body over " + maxBody + " bytes"));
      }
      return new Exchange.Answered(response.getStatus(), headers, body, truncated, since(start));
    } catch (TimeoutException e) {
      req.abort(e);
      return unanswered(Exchange.Failure.TIMEOUT, "no answer within " + timeout, start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      req.abort(e);
      return unanswered(Exchange.Failure.IO, "interrupted", start);
    } catch (ExecutionException | IOException | RuntimeException e) {
      return failure(e, timeout, start);
    }
  }

  private static Exchange failure(Throwable e, Duration timeout, long start) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return unanswered(Exchange.Failure.TIMEOUT, "no answer within " + timeout, start);
      }
      if (t instanceof BlockedAddressException b) {
        return unanswered(Exchange.Failure.BLOCKED, b.getMessage(), start);
      }
      if (t instanceof UnknownHostException) {
        return unanswered(Exchange.Failure.UNRESOLVED, "unknown host " + t.getMessage(), start);
      }
      if (t instanceof ConnectException) {
        return unanswered(Exchange.Failure.REFUSED, "connection refused", start);
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return unanswered(Exchange.Failure.IO, String.valueOf(root.getMessage()), start);
  }

  private static Exchange.Unanswered unanswered(
      Exchange.Failure failure, String message, long start) {
    return new Exchange.Unanswered(failure, message, since(start));
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Override
  public void close() {
    try {
      client().stop();
    } catch (Exception e) {
      throw new IllegalStateException("the HTTP client did not stop cleanly", e);
    }
  }

  /** Every address of a host is one the policy refuses. */
  static final class BlockedAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    BlockedAddressException(String host) {
      super("refused to call " + host + ": it resolves only to addresses that are not allowed");
    }
  }
}
