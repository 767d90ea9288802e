package org.backchannel.core.delivery;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.sdk.AppSecret;
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
    return "msg_" + org.backchannel.core.security.Tokens.hex(12);
  }

  /**
   * Sends a delivery once, now, on the caller's thread, for a person who is waiting. Interactive
   * calls are not retried: the person sees the outcome and may try again.
   */
  public Delivered deliverNow(Delivery delivery) {
    byte[] body = store.transaction(tx -> tx.deliveryBody(delivery.id()));
    List<AppSecret> secrets = secretsOf(delivery.appId());
    Instant startedAt = clock.instant();
    OutboundRequest request = build(delivery, body, secrets, startedAt);
    Exchange exchange = sender.send(request, interactiveTimeout);
    Outcome outcome = Interpreter.interpret(delivery.contract(), exchange);
    Attempt attempt = attempt(delivery, request, body, startedAt, exchange, outcome);
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

  private List<AppSecret> secretsOf(long appId) {
    String sealed = store.transaction(tx -> tx.appSecretCiphertext(appId));
    return List.of(AppSecret.of(box.open(sealed)));
  }

  OutboundRequest build(Delivery d, byte[] body, List<AppSecret> secrets, Instant now) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    switch (d.contract()) {
      case FLOWDOCK ->
          headers.put(
              FlowdockToken.HEADER, FlowdockToken.sign(secrets.get(0), d.actorId(), body, now));
      case FLOCK, FLOWDASH, NATIVE -> {}
    }
    headers.putAll(StandardWebhooks.headers(d.messageId(), now, body, secrets));
    return new OutboundRequest(d.method(), URI.create(d.url()), headers, body);
  }

  private static Attempt attempt(
      Delivery d,
      OutboundRequest request,
      byte[] body,
      Instant startedAt,
      Exchange exchange,
      Outcome outcome) {
    Integer status = null;
    Map<String, String> responseHeaders = Map.of();
    String responseBody = null;
    String error = null;
    if (exchange instanceof Exchange.Answered a) {
      status = a.status();
      responseHeaders = Redaction.headers(a.headers(), Set.of());
      responseBody = new String(a.body(), StandardCharsets.UTF_8) + (a.truncated() ? "…" : "");
    } else if (exchange instanceof Exchange.Unanswered u) {
      error = u.failure().name().toLowerCase(java.util.Locale.ROOT) + ": " + u.message();
    }
    return new Attempt(
        0,
        d.id(),
        d.attemptCount() + 1,
        startedAt,
        exchange.elapsed(),
        request.method(),
        request.uri().toString(),
        Redaction.headers(request.headers(), Set.of()),
        new String(body, StandardCharsets.UTF_8),
        status,
        responseHeaders,
        responseBody,
        error,
        outcome.summary());
  }
}
