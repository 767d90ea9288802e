package org.backchannel.core.delivery;

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
import org.backchannel.core.Json;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
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

  public DeliveryEngine(
      Store store,
      HttpSender sender,
      SecretBox box,
      InstantSource clock,
      Duration interactiveTimeout) {
    this.store = store;
    this.sender = sender;
    this.box = box;
    this.clock = clock;
    this.interactiveTimeout = interactiveTimeout;
  }

  /** A new stable {@code webhook-id}, kept across a delivery's retries. */
  public static String newMessageId() {
    return "msg_" + Tokens.hex(12);
  }

  /**
   * Sends a delivery once, now, on the caller's thread, for a person who is waiting. Interactive
   * calls are not retried: the person sees the outcome and may try again.
   */
  public Delivered deliverNow(Delivery delivery) {
    Prepared prepared = prepare(delivery);
    Exchange exchange = sender.send(prepared.request(), interactiveTimeout);
    Outcome outcome = Interpreter.interpret(delivery.contract(), delivery.event(), exchange);
    Attempt attempt = attempt(delivery, prepared, exchange, outcome);
    DeliveryState state =
        outcome instanceof Outcome.Failed ? DeliveryState.FAILED : DeliveryState.SUCCEEDED;
    Instant now = clock.instant();
    Attempt recorded =
        store.transaction(tx -> tx.recordAttempt(attempt, state, null, outcome.summary(), now));
    Delivery updated = store.transaction(tx -> tx.delivery(delivery.id()).orElseThrow());
    LOG.info(
        "delivery {} {} {} -> {} in {} ms",
        delivery.id(),
        delivery.event(),
        delivery.method(),
        outcome.summary(),
        exchange.elapsed().toMillis());
    return new Delivered(updated, recorded, outcome);
  }

  /** A request ready to send, with what recording it needs. */
  record Prepared(
      OutboundRequest request, byte[] body, Set<String> secretHeaders, Instant startedAt) {}

  /** What signing needs of an app: its public id and its valid secrets, newest first. */
  record Signer(String appId, List<AppSecret> secrets) {}

  Prepared prepare(Delivery delivery) {
    Payload payload = store.transaction(tx -> tx.deliveryPayload(delivery.id()));
    Instant now = clock.instant();
    Signer signer = store.transaction(tx -> signer(tx, delivery.appId(), now));
    Map<String, String> extra = extraHeaders(payload);
    OutboundRequest request = build(delivery, payload.body(), signer, extra, now);
    return new Prepared(request, payload.body(), extra.keySet(), now);
  }

  /** The app's current secret, then the one it replaced while that is in its grace period. */
  private Signer signer(Tx tx, long appId, Instant now) {
    List<AppSecret> secrets = new ArrayList<>();
    secrets.add(AppSecret.of(box.open(tx.appSecretCiphertext(appId))));
    tx.platform()
        .previousSecretCiphertext(appId, now)
        .ifPresent(previous -> secrets.add(AppSecret.of(box.open(previous))));
    return new Signer(tx.app(appId).orElseThrow().clientId(), List.copyOf(secrets));
  }

  private Map<String, String> extraHeaders(Payload payload) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (payload.sealedHeaders() != null) {
      Json.read(box.open(payload.sealedHeaders()))
          .properties()
          .forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    }
    return headers;
  }

  static OutboundRequest build(
      Delivery d, byte[] body, Signer signer, Map<String, String> extra, Instant now) {
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Content-Type", "application/json");
    AppSecret newest = signer.secrets().get(0);
    switch (d.contract()) {
      case FLOWDOCK ->
          headers.put(FlowdockToken.HEADER, FlowdockToken.sign(newest, d.actorId(), body, now));
      case FLOCK ->
          headers.put(
              EventToken.HEADER,
              EventToken.sign(newest, signer.appId(), d.actorId(), now, d.messageId()));
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
