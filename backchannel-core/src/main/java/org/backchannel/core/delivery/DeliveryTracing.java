package org.backchannel.core.delivery;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A span per delivery attempt, child of what caused the delivery: the request a person or an app
 * made, carried across time as its W3C {@code traceparent} on the queued delivery. Made only when
 * the server installed an OpenTelemetry SDK; the engine holds none otherwise. Spans carry ids, the
 * contract, the attempt's number and its outcome: never a URL, a header value or a body.
 */
final class DeliveryTracing {
  static final String TRACEPARENT = "traceparent";

  static final AttributeKey<Long> DELIVERY = AttributeKey.longKey("backchannel.delivery.id");
  static final AttributeKey<Long> APP = AttributeKey.longKey("backchannel.app.id");
  static final AttributeKey<Long> ENDPOINT = AttributeKey.longKey("backchannel.endpoint.id");
  static final AttributeKey<String> CONTRACT = AttributeKey.stringKey("backchannel.contract");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("backchannel.attempt");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("backchannel.outcome");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

  /** Reads one stored {@code traceparent} as if it were a request's only header. */
  private static final TextMapGetter<String> STORED =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
          return TRACEPARENT.equals(key) ? carrier : null;
        }
      };

  private final Tracer tracer;

  DeliveryTracing(OpenTelemetry telemetry) {
    this.tracer = telemetry.getTracer("org.backchannel.delivery");
  }

  /**
   * The {@code traceparent} of the span current on this thread, to keep with a queued delivery;
   * null when there is none, as always when tracing is off (a thread-local read, no allocation).
   */
  static String current() {
    SpanContext c = Span.current().getSpanContext();
    if (!c.isValid()) {
      return null;
    }
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  /** The context a stored {@code traceparent} names; the root one (a new trace) for none. */
  static Context cause(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, STORED);
  }

  /** Starts the span of a delivery's next attempt, as a child of {@code cause}. */
  Span start(Delivery d, Context cause) {
    var span =
        tracer
            .spanBuilder("deliver " + d.contract().name().toLowerCase(Locale.ROOT))
            .setSpanKind(SpanKind.CLIENT)
            .setParent(cause == null ? Context.root() : cause)
            .setAttribute(DELIVERY, d.id())
            .setAttribute(APP, d.appId())
            .setAttribute(CONTRACT, d.contract().name().toLowerCase(Locale.ROOT))
            .setAttribute(ATTEMPT, (long) d.attemptCount() + 1)
            .setAttribute(METHOD, d.method());
    if (d.endpointId() != null) {
      span.setAttribute(ENDPOINT, d.endpointId());
    }
    return span.startSpan();
  }

  /**
   * The request with the attempt span's {@code traceparent} added, so the app's own traces join
   * this one. Headers are not signed (Standard Webhooks signs id, timestamp and body; the Flowdock
   * token the body), so this changes no signature.
   */
  static OutboundRequest carrying(OutboundRequest request, Span span) {
    Map<String, String> headers = new LinkedHashMap<>(request.headers());
    W3CTraceContextPropagator.getInstance()
        .inject(
            Context.root().with(span), headers, (carrier, key, value) -> carrier.put(key, value));
    return new OutboundRequest(request.method(), request.uri(), headers, request.body());
  }

  /** Ends an attempt's span with its answer's status and where it left the delivery. */
  static void end(Span span, Exchange exchange, DeliveryState state) {
    if (exchange instanceof Exchange.Answered a) {
      span.setAttribute(STATUS, (long) a.status());
    }
    String outcome =
        switch (state) {
          case SUCCEEDED -> "succeeded";
          case PENDING -> "retry";
          default -> "failed";
        };
    span.setAttribute(OUTCOME, outcome);
    if (state != DeliveryState.SUCCEEDED) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Ends an attempt's span that could not be made at all. */
  static void failed(Span span) {
    span.setAttribute(OUTCOME, "failed");
    span.setStatus(StatusCode.ERROR);
    span.end();
  }
}
