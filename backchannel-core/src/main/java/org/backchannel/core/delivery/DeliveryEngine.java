package org.backchannel.core.delivery;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.backchannel.core.Json;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.SealedSecrets;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.EventToken;
import org.backchannel.sdk.FlowdockToken;
import org.backchannel.sdk.StandardWebhooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every call takes: build the request, sign it with the SDK, send it, read the answer
 * by its contract, and record the attempt with the state it leads to.
 */
public final class DeliveryEngine {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

  private final Store store;
  private final HttpSender sender;
  private final SecretBox box;
  private final InstantSource clock;
  private final Duration interactiveTimeout;
  private final Duration backgroundTimeout;
  private final RetryPolicy retry;
  private final RandomGenerator random;
  private volatile DeliveryObserver observer = DeliveryObserver.NONE;
  private volatile Disabling disabling = (tx, endpoint) -> {};
  // Null while tracing is off: then no span, no context and no header is made per attempt.
  private volatile DeliveryTracing tracing;

  /**
   * Told, inside the transaction that disables an endpoint, of the endpoint as disabled: what it
   * writes (the {@code endpoint.disabled} event) commits with the disabling or not at all.
   */
  @FunctionalInterface
  public interface Disabling {
    void disabled(Tx tx, Endpoint endpoint);
  }

  public DeliveryEngine(
      Store store,
      HttpSender sender,
      SecretBox box,
      InstantSource clock,
      Duration interactiveTimeout,
      Duration backgroundTimeout,
      RetryPolicy retry,
      RandomGenerator random) {
    this.store = store;
    this.sender = sender;
    this.box = box;
    this.clock = clock;
    this.interactiveTimeout = interactiveTimeout;
    this.backgroundTimeout = backgroundTimeout;
    this.retry = retry;
    this.random = random;
  }

  /** Adds one who is told of every attempt and disabling (metrics, notices). */
  public void observe(DeliveryObserver added) {
    DeliveryObserver now = observer;
    this.observer = now == DeliveryObserver.NONE ? added : DeliveryObserver.both(now, added);
  }

  DeliveryObserver observer() {
    return observer;
  }

  /**
   * Traces every attempt from now on with {@code telemetry}'s tracer: a span per attempt, child of
   * the request that caused it, and its {@code traceparent} on the outbound request.
   */
  public void trace(OpenTelemetry telemetry) {
    this.tracing = new DeliveryTracing(telemetry);
  }

  /** Sets what is written with each disabling, in its transaction. */
  public void onDisable(Disabling disabling) {
    this.disabling = disabling;
  }

  public RetryPolicy retryPolicy() {
    return retry;
  }

  /**
   * Calls an app now, on the caller's thread, for a person who is waiting: the delivery is written
   * as being sent (no worker will pick it up), sent once, and recorded with its attempt.
   * Interactive calls are not retried: the person sees the outcome and may try again.
   */
  public Delivered callNow(NewDelivery call) {
    return callNow(call, null);
  }

  /**
   * Like {@link #callNow(NewDelivery)} for a call whose body must carry {@code secret} in clear (an
   * install token): once the call is over, the stored body keeps {@code [redacted]} instead.
   */
  public Delivered callNow(NewDelivery call, String secret) {
    return call(start(List.of(call)).get(0), secret);
  }

  /**
   * Calls several apps now, at once, each on its own virtual thread; their rows are written in one
   * transaction. Returns what each answered, in order.
   */
  public List<Delivered> callNow(List<NewDelivery> calls) {
    if (calls.isEmpty()) {
      return List.of();
    }
    List<Ready> ready = start(calls);
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<Delivered>> sent = new ArrayList<>();
      ready.forEach(r -> sent.add(pool.submit(() -> call(r, null))));
      List<Delivered> out = new ArrayList<>(sent.size());
      for (var f : sent) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling apps", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException("an interactive call failed", e.getCause());
    }
  }

  /**
   * Writes the calls' rows and reads what signing them needs, in one transaction; the bodies are at
   * hand, so nothing is read back.
   */
  private List<Ready> start(List<NewDelivery> calls) {
    Instant now = clock.instant();
    // Taken on the caller's thread: the calls may be sent on others.
    Context cause = tracing == null ? null : Context.current();
    return store.transaction(
        tx -> {
          Map<Long, Signer> signers = new java.util.HashMap<>();
          List<Ready> ready = new ArrayList<>(calls.size());
          for (NewDelivery call : calls) {
            Delivery d = Outbox.startCall(tx, call, now);
            byte[] body = call.body() == null ? new byte[0] : call.body();
            Signer signer = signers.computeIfAbsent(d.appId(), app -> signer(tx, app, now));
            Map<String, String> extra = extraHeaders(call.sealedHeaders());
            OutboundRequest request = build(d, body, signer, extra, now);
            ready.add(new Ready(d, new Prepared(request, body, extra.keySet(), now), cause));
          }
          return ready;
        });
  }

  private Delivered call(Ready ready, String secret) {
    Delivery delivery = ready.delivery();
    boolean recorded = false;
    DeliveryTracing tracer = tracing;
    Span span = tracer == null ? null : tracer.start(delivery, ready.cause());
    try {
      Prepared prepared = traced(ready.prepared(), span);
      Exchange exchange = sender.send(prepared.request(), interactiveTimeout);
      Outcome outcome = Interpreter.interpret(delivery.contract(), delivery.event(), exchange);
      Attempt attempt = attempt(delivery, prepared, exchange, outcome);
      DeliveryState state =
          outcome instanceof Outcome.Failed ? DeliveryState.FAILED : DeliveryState.SUCCEEDED;
      if (span != null) {
        DeliveryTracing.end(span, exchange, state);
        span = null;
      }
      Instant now = clock.instant();
      Map.Entry<Attempt, Delivery> written =
          store.transaction(
              tx -> {
                Attempt a =
                    tx.store(DeliveryStore.class)
                        .recordAttempts(
                            List.of(new SettledAttempt(attempt, state, null, outcome.summary())),
                            now)
                        .get(0);
                if (secret != null) {
                  tx.store(DeliveryStore.class).redactDelivery(delivery.id(), secret);
                }
                return Map.entry(
                    a, tx.store(DeliveryStore.class).delivery(delivery.id()).orElseThrow());
              });
      recorded = true;
      Attempt attemptRecorded = written.getKey();
      Delivery updated = written.getValue();
      observer.attempted(updated, attemptRecorded, outcome);
      LOG.info(
          "delivery {} {} {} -> {} in {} ms",
          delivery.id(),
          delivery.event(),
          delivery.method(),
          outcome.summary(),
          exchange.elapsed().toMillis());
      return new Delivered(updated, attemptRecorded, outcome);
    } finally {
      if (span != null) {
        DeliveryTracing.failed(span);
      }
      if (secret != null && !recorded) {
        store.transaction(
            tx -> {
              tx.store(DeliveryStore.class).redactDelivery(delivery.id(), secret);
              return null;
            });
      }
    }
  }

  /**
   * A claimed delivery with its request built and signed, ready to send; {@code cause} is the trace
   * context its attempt's span is a child of (null while tracing is off).
   */
  record Ready(Delivery delivery, Prepared prepared, Context cause) {}

  /** An attempt made and settled, not yet written. */
  record Sent(
      Delivery delivery,
      Prepared prepared,
      Outcome outcome,
      Attempt attempt,
      Settlement settlement) {}

  /**
   * Claims up to {@code limit} due deliveries for {@code node} under a lease of {@code lease} and
   * reads their bodies and signing secrets in the same transaction; signs them once it has
   * committed, so no lock is held for the signing.
   */
  List<Ready> claim(String node, Duration lease, int limit) {
    Instant now = clock.instant();
    Claimed claimed =
        store.transaction(
            tx -> {
              DeliveryStore queue = tx.store(DeliveryStore.class);
              List<Delivery> due = queue.claimDue(node, now, now.plus(lease), limit);
              if (due.isEmpty()) {
                return Claimed.NONE;
              }
              Map<Long, Signer> signers = new java.util.HashMap<>();
              for (Delivery d : due) {
                signers.computeIfAbsent(d.appId(), app -> signer(tx, app, now));
              }
              return new Claimed(
                  due, queue.deliveryPayloads(due.stream().map(Delivery::id).toList()), signers);
            });
    boolean traced = tracing != null;
    List<Ready> ready = new ArrayList<>(claimed.deliveries().size());
    for (Delivery d : claimed.deliveries()) {
      Payload payload = claimed.payloads().get(d.id());
      Map<String, String> extra = extraHeaders(payload.sealedHeaders());
      OutboundRequest request =
          build(d, payload.body(), claimed.signers().get(d.appId()), extra, now);
      ready.add(
          new Ready(
              d,
              new Prepared(request, payload.body(), extra.keySet(), now),
              traced ? DeliveryTracing.cause(payload.traceparent()) : null));
    }
    return ready;
  }

  /** What a claim read: the deliveries, their payloads by id and their apps' signers by app id. */
  private record Claimed(
      List<Delivery> deliveries, Map<Long, Payload> payloads, Map<Long, Signer> signers) {
    static final Claimed NONE = new Claimed(List.of(), Map.of(), Map.of());
  }

  /** Sends one prepared delivery and decides what its answer leads to; writes nothing. */
  Sent send(Ready ready) {
    Delivery delivery = ready.delivery();
    DeliveryTracing tracer = tracing;
    if (tracer == null) {
      return send(delivery, ready.prepared(), null);
    }
    Span span = tracer.start(delivery, ready.cause());
    try {
      return send(delivery, traced(ready.prepared(), span), span);
    } catch (RuntimeException e) {
      DeliveryTracing.failed(span);
      throw e;
    }
  }

  private Sent send(Delivery delivery, Prepared prepared, Span span) {
    Exchange exchange = sender.send(prepared.request(), backgroundTimeout);
    Outcome outcome = Interpreter.interpret(delivery.contract(), delivery.event(), exchange);
    Attempt attempt = attempt(delivery, prepared, exchange, outcome);
    Settlement settlement = settle(delivery, attempt.number(), exchange, outcome, clock.instant());
    if (span != null) {
      DeliveryTracing.end(span, exchange, settlement.state());
    }
    return new Sent(delivery, prepared, outcome, attempt, settlement);
  }

  /** The request as sent under {@code span}: with its {@code traceparent} (none: unchanged). */
  private static Prepared traced(Prepared prepared, Span span) {
    if (span == null) {
      return prepared;
    }
    return new Prepared(
        DeliveryTracing.carrying(prepared.request(), span),
        prepared.body(),
        prepared.secretHeaders(),
        prepared.startedAt());
  }

  /**
   * Writes a group of settled attempts in one transaction: commits are the queue's durable cost, so
   * they are shared. If one of them was already recorded by a worker that took its delivery over,
   * the group is written one by one instead and that one is skipped.
   */
  List<Attempt> recordAll(List<Sent> sent) {
    Instant now = clock.instant();
    List<Attempt> recorded;
    List<Endpoint> disabled = new ArrayList<>();
    try {
      recorded = store.transaction((Tx tx) -> record(tx, sent, now, disabled));
    } catch (Problem.Conflict e) {
      disabled.clear(); // rolled back
      recorded = new ArrayList<>();
      for (Sent s : sent) {
        List<Endpoint> one = new ArrayList<>(1);
        try {
          recorded.add(store.transaction((Tx tx) -> record(tx, List.of(s), now, one).get(0)));
          disabled.addAll(one);
        } catch (Problem.Conflict taken) {
          LOG.warn("delivery {} was taken over by another worker", s.delivery().id());
        }
      }
    }
    for (int i = 0; i < recorded.size() && i < sent.size(); i++) {
      observer.attempted(sent.get(i).delivery(), recorded.get(i), sent.get(i).outcome());
    }
    for (Endpoint e : disabled) {
      observer.endpointDisabled(e);
    }
    return recorded;
  }

  /**
   * Writes the attempts in one go, then keeps their endpoints' health, reading each endpoint once
   * and applying the outcomes in the order they came; adds to {@code disabled} the endpoints this
   * transaction disabled.
   */
  private List<Attempt> record(Tx tx, List<Sent> sent, Instant now, List<Endpoint> disabled) {
    List<Attempt> recorded =
        tx.store(DeliveryStore.class)
            .recordAttempts(
                sent.stream()
                    .map(
                        s ->
                            new SettledAttempt(
                                s.attempt(),
                                s.settlement().state(),
                                s.settlement().next(),
                                s.settlement().summary()))
                    .toList(),
                now);
    Set<Long> ids = new java.util.HashSet<>();
    for (Sent s : sent) {
      if (s.delivery().endpointId() != null) {
        ids.add(s.delivery().endpointId());
      }
    }
    if (!ids.isEmpty()) {
      Map<Long, Endpoint> endpoints =
          new java.util.HashMap<>(tx.store(DeliveryStore.class).endpointsById(ids));
      for (Sent s : sent) {
        Long id = s.delivery().endpointId();
        if (id != null) {
          endpoints.put(
              id,
              trackEndpoint(
                  tx, endpoints.get(id), s.outcome(), s.settlement(), s.prepared(), now, disabled));
        }
      }
    }
    return recorded;
  }

  /** Where a background attempt leaves its delivery, and whether its endpoint must stop. */
  record Settlement(DeliveryState state, Instant next, String summary, String disableReason) {}

  Settlement settle(Delivery d, int attemptsMade, Exchange exchange, Outcome outcome, Instant now) {
    if (!(outcome instanceof Outcome.Failed failed)) {
      return new Settlement(DeliveryState.SUCCEEDED, null, outcome.summary(), null);
    }
    if (failed.status() != null && failed.status() == 410) {
      return new Settlement(
          DeliveryState.FAILED,
          null,
          outcome.summary() + " (410 Gone: endpoint disabled)",
          "the app answered 410 Gone");
    }
    Duration retryAfter = null;
    if (exchange instanceof Exchange.Answered a && (a.status() == 429 || a.status() == 503)) {
      retryAfter = RetryPolicy.retryAfter(a.headers().get("retry-after"), now).orElse(null);
    }
    return retry
        .next(attemptsMade, retryAfter, random)
        .map(
            wait ->
                new Settlement(
                    DeliveryState.PENDING,
                    now.plus(wait),
                    outcome.summary() + "; next attempt in " + wait.toSeconds() + " s",
                    null))
        .orElseGet(
            () ->
                new Settlement(
                    DeliveryState.FAILED,
                    null,
                    outcome.summary() + "; no attempt left after " + attemptsMade,
                    null));
  }

  /** Notes an attempt's outcome on its endpoint; returns the endpoint as it now is. */
  private Endpoint trackEndpoint(
      Tx tx,
      Endpoint e,
      Outcome outcome,
      Settlement settlement,
      Prepared prepared,
      Instant now,
      List<Endpoint> disabled) {
    if (!(outcome instanceof Outcome.Failed)) {
      if (e.failingSince() == null) {
        return e;
      }
      tx.store(DeliveryStore.class).setEndpointFailingSince(e.id(), null);
      return e.withFailingSince(null);
    }
    Instant since = e.failingSince();
    if (since == null) {
      since = prepared.startedAt();
      tx.store(DeliveryStore.class).setEndpointFailingSince(e.id(), since);
      e = e.withFailingSince(since);
    }
    String reason = settlement.disableReason();
    if (reason == null && !since.plus(retry.disableAfter()).isAfter(now)) {
      reason = "failing without a success since " + since;
    }
    if (reason != null && !e.disabled()) {
      Endpoint off = e.withDisabled(reason, now);
      if (tx.store(DeliveryStore.class).disableEndpoint(e.id(), reason, now)) {
        LOG.warn("endpoint {} ({}) disabled: {}", e.id(), e.url(), reason);
        disabling.disabled(tx, off);
        disabled.add(off);
      }
      return off;
    }
    return e;
  }

  /** A request ready to send, with what recording it needs. */
  record Prepared(
      OutboundRequest request, byte[] body, Set<String> secretHeaders, Instant startedAt) {}

  /**
   * What signing needs of an app: its public id, the secret its tokens are signed with (the current
   * one), and every secret that signs its Standard Webhooks headers.
   */
  record Signer(String appId, AppSecret current, List<AppSecret> secrets) {}

  /**
   * The app's current secret; its Standard Webhooks headers are also signed with the pending one
   * (issued, not yet activated) and with the one it replaced while that is in its grace period.
   */
  private Signer signer(Tx tx, long appId, Instant now) {
    SealedSecrets sealed = tx.store(AppStore.class).sealedSecrets(appId, now);
    AppSecret current = open(sealed.current());
    List<AppSecret> secrets = new ArrayList<>();
    secrets.add(current);
    if (sealed.pending() != null) {
      secrets.add(open(sealed.pending()));
    }
    if (sealed.previous() != null) {
      secrets.add(open(sealed.previous()));
    }
    return new Signer(sealed.clientId(), current, List.copyOf(secrets));
  }

  private Map<String, String> extraHeaders(String sealedHeaders) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (sealedHeaders != null) {
      Json.read(box.open(sealedHeaders))
          .properties()
          .forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    }
    return headers;
  }

  /**
   * Opens a sealed app secret, remembering the result by its ciphertext: every claimed batch needs
   * its apps' secrets, and a rotated secret has a new ciphertext, so nothing goes stale.
   */
  private AppSecret open(String ciphertext) {
    if (opened.size() > MAX_OPENED) {
      opened.clear();
    }
    return opened.computeIfAbsent(ciphertext, c -> AppSecret.of(box.open(c)));
  }

  private static final int MAX_OPENED = 10_000;
  private final Map<String, AppSecret> opened = new java.util.concurrent.ConcurrentHashMap<>();

  static OutboundRequest build(
      Delivery d, byte[] body, Signer signer, Map<String, String> extra, Instant now) {
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Content-Type", "application/json");
    // A token carries one signature, and the app may know one secret: always the current one.
    AppSecret current = signer.current();
    switch (d.contract()) {
      case FLOWDOCK ->
          headers.put(
              FlowdockToken.HEADER,
              FlowdockToken.sign(current, d.contract().actor(d.actorUserId()), body, now));
      case FLOCK ->
          headers.put(
              EventToken.HEADER,
              EventToken.sign(
                  current,
                  signer.appId(),
                  d.contract().actor(d.actorUserId()),
                  now,
                  d.messageId()));
      case FLOWDASH, NATIVE -> {}
    }
    headers.putAll(StandardWebhooks.headers(d.messageId(), now, body, signer.secrets()));
    return new OutboundRequest(d.method(), URI.create(d.url()), headers, body);
  }

  static Attempt attempt(Delivery d, Prepared prepared, Exchange exchange, Outcome outcome) {
    Integer status = null;
    Map<String, String> responseHeaders = Map.of();
    String responseBody = null;
    String error = null;
    if (exchange instanceof Exchange.Answered a) {
      status = a.status();
      responseHeaders = Redaction.headers(a.headers(), Set.of());
      responseBody = new String(a.body(), StandardCharsets.UTF_8) + (a.truncated() ? "…" : "");
    } else if (exchange instanceof Exchange.Unanswered u) {
      error = u.failure().name().toLowerCase(Locale.ROOT) + ": " + u.message();
    }
    OutboundRequest request = prepared.request();
    return new Attempt(
        0,
        d.id(),
        d.attemptCount() + 1,
        prepared.startedAt(),
        exchange.elapsed(),
        request.method(),
        request.uri().toString(),
        Redaction.headers(request.headers(), prepared.secretHeaders()),
        new String(prepared.body(), StandardCharsets.UTF_8),
        status,
        responseHeaders,
        responseBody,
        error,
        outcome.summary());
  }
}
