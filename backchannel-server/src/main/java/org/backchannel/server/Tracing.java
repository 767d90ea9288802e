package org.backchannel.server;

import io.javalin.config.JavalinConfig;
import io.javalin.router.Endpoint;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

/**
 * Tracing with OpenTelemetry, off unless the standard {@code OTEL_*} variables (or {@code otel.*}
 * system properties) name where spans go; then the SDK is configured by them, as its autoconfigure
 * module reads them, and exports OTLP. A span per incoming request (named by its route's pattern,
 * never its path or query, which may hold tokens), joined to the caller's {@code traceparent}; the
 * delivery engine makes the attempts' spans. When off, nothing of this is installed.
 */
final class Tracing {
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");

  /** The settings that, any of them given, say where spans go; tracing is off without one. */
  private static final List<String> EXPORTING =
      List.of("traces.exporter", "exporter.otlp.endpoint", "exporter.otlp.traces.endpoint");

  private Tracing() {}

  /**
   * An SDK configured by the {@code OTEL_*} variables and {@code otel.*} properties, or null when
   * they turn tracing off: none names where spans go, {@code OTEL_TRACES_EXPORTER} is {@code none},
   * or {@code OTEL_SDK_DISABLED} is true. Metrics and logs stay off unless asked for: {@code
   * /metrics} has the metrics.
   */
  static OpenTelemetrySdk fromEnvironment(Map<String, String> env, Properties properties) {
    if (!enabled(env, properties)) {
      return null;
    }
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> settings(env, properties))
        .addResourceCustomizer(
            (resource, config) ->
                resource.getAttribute(ServiceName.KEY) == null
                        || resource.getAttribute(ServiceName.KEY).startsWith("unknown_service")
                    ? resource.merge(Resource.builder().put(ServiceName.KEY, "backchannel").build())
                    : resource)
        .disableShutdownHook() // the server closes it last, once the worker is done
        .build()
        .getOpenTelemetrySdk();
  }

  /**
   * The given {@code OTEL_*} variables and {@code otel.*} properties as autoconfigure names them,
   * over our defaults: OTLP over HTTP (protobuf, port 4318: the only sender included is the JDK's
   * HTTP client, so {@code grpc} stops the start with the SDK's reason) and no metrics or logs
   * exported ({@code /metrics} has the metrics). The process's own variables and properties, which
   * autoconfigure also reads, come first.
   */
  private static Map<String, String> settings(Map<String, String> env, Properties properties) {
    Map<String, String> out = new java.util.HashMap<>();
    out.put("otel.exporter.otlp.protocol", "http/protobuf");
    out.put("otel.metrics.exporter", "none");
    out.put("otel.logs.exporter", "none");
    env.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            out.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
          }
        });
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith("otel.")) {
        out.put(name, properties.getProperty(name));
      }
    }
    return out;
  }

  /** {@code service.name}, spelt out: the semantic-conventions jar is not worth a dependency. */
  private static final class ServiceName {
    static final AttributeKey<String> KEY = AttributeKey.stringKey("service.name");
  }

  static boolean enabled(Map<String, String> env, Properties properties) {
    if ("true".equalsIgnoreCase(setting(env, properties, "sdk.disabled"))) {
      return false;
    }
    String exporter = setting(env, properties, "traces.exporter");
    if (exporter != null) {
      return !exporter.strip().equalsIgnoreCase("none");
    }
    return EXPORTING.stream().anyMatch(name -> setting(env, properties, name) != null);
  }

  /** {@code otel.<name>} as a system property, else {@code OTEL_<NAME>}; null if blank or unset. */
  private static String setting(Map<String, String> env, Properties properties, String name) {
    String value = properties.getProperty("otel." + name);
    if (value == null) {
      value = env.get("OTEL_" + name.replace('.', '_').toUpperCase(Locale.ROOT));
    }
    return value == null || value.isBlank() ? null : value;
  }

  /** Traces every request the server takes, with {@code telemetry}'s tracer. */
  static void install(JavalinConfig c, OpenTelemetry telemetry) {
    Tracer tracer = telemetry.getTracer("org.backchannel.server");
    c.jetty.modifyServletContextHandler(
        handler ->
            handler.addFilter(
                new FilterHolder(new RequestSpans(tracer)),
                "/*",
                EnumSet.of(DispatcherType.REQUEST)));
    // Once the router has matched a route, the span takes its pattern as its name.
    c.routes.beforeMatched(
        ctx -> {
          Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
          if (matched != null) {
            Span.current()
                .updateName(ctx.method().name() + " " + matched.path)
                .setAttribute(ROUTE, matched.path);
          }
        });
  }

  /** Reads the incoming {@code traceparent} (and {@code tracestate}) off a request. */
  private static final TextMapGetter<HttpServletRequest> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServletRequest carrier) {
          return Collections.list(carrier.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest carrier, String key) {
          return carrier == null ? null : carrier.getHeader(key);
        }
      };

  /**
   * Wraps each request in a server span, current while the router runs, so that what the request
   * queues or calls is its child. The span ends when the answer is complete (a stream's too).
   */
  private static final class RequestSpans implements Filter {
    private final Tracer tracer;

    RequestSpans(Tracer tracer) {
      this.tracer = tracer;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      Context caller =
          W3CTraceContextPropagator.getInstance().extract(Context.root(), request, HEADERS);
      Span span =
          tracer
              .spanBuilder(request.getMethod())
              .setParent(caller)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute(METHOD, request.getMethod())
              .startSpan();
      try (Scope ignored = span.makeCurrent()) {
        chain.doFilter(req, res);
      } catch (IOException | ServletException | RuntimeException e) {
        span.setStatus(StatusCode.ERROR);
        throw e;
      } finally {
        if (request.isAsyncStarted()) {
          request.getAsyncContext().addListener(new Ending(span, response));
        } else {
          end(span, response);
        }
      }
    }
  }

  private static void end(Span span, HttpServletResponse response) {
    int status = response.getStatus();
    span.setAttribute(STATUS, (long) status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Ends a streamed request's span when its answer completes. */
  private record Ending(Span span, HttpServletResponse response) implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      end(span, response);
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }
}
