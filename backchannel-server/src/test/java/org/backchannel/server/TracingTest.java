package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real server traced by the OpenTelemetry SDK into memory: a publish and the retry hours later
 * are one trace, a press calls the app inside its request's trace, and the app receives each
 * attempt's {@code traceparent}. No span holds a secret, a token or a body.
 */
final class TracingTest extends ServerFixture {
  private static final AttributeKey<Long> DELIVERY =
      AttributeKey.longKey("backchannel.delivery.id");
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("backchannel.attempt");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("backchannel.outcome");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final String MARKER = "body-marker-7f3a";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();

  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  @Override
  OpenTelemetry telemetry() {
    return sdk;
  }

  @Override
  void configure(Map<String, String> settings) {
    settings.put("background_timeout", "2s");
  }

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  /** An endpoint of the app at the test's receiver; its id. */
  private long endpoint() {
    return ok(http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/events") + "\"}"))
        .get("id")
        .asLong();
  }

  @Test
  void aPublishAndItsRetryHoursLaterAreOneTraceAndTheAppGetsEachAttemptsTraceparent() {
    AtomicInteger calls = new AtomicInteger();
    app.answer(r -> calls.getAndIncrement() == 0 ? Answer.status(500) : Answer.status(204));
    long endpoint = endpoint();
    long id =
        ok(http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"thread.updated\",\"data\":{\"note\":\"" + MARKER + "\"}}"))
            .get("deliveries")
            .get(0)
            .get("id")
            .asLong();
    SpanData publish = serverSpan("POST /api/v1/apps/{id}/events");
    assertThat(publish.getParentSpanContext().isValid()).as("a root: nobody called in a trace");
    assertThat(publish.getAttributes().get(AttributeKey.stringKey("http.route")))
        .isEqualTo("/api/v1/apps/{id}/events");
    assertThat(publish.getAttributes().get(STATUS)).isEqualTo(202L);

    assertThat(server.backchannel().worker().drain()).isEqualTo(1);
    clock.advance(Duration.ofHours(3)); // long past the first retry's wait
    assertThat(server.backchannel().worker().drain()).isEqualTo(1);

    List<SpanData> attempts = attemptSpans(id);
    assertThat(attempts).hasSize(2);
    for (SpanData attempt : attempts) {
      assertThat(attempt.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(attempt.getName()).isEqualTo("deliver native");
      assertThat(attempt.getTraceId()).isEqualTo(publish.getTraceId());
      assertThat(attempt.getParentSpanId()).isEqualTo(publish.getSpanId());
      assertThat(attempt.getAttributes().get(AttributeKey.longKey("backchannel.app.id")))
          .isEqualTo(appId);
      assertThat(attempt.getAttributes().get(AttributeKey.longKey("backchannel.endpoint.id")))
          .isEqualTo(endpoint);
      assertThat(attempt.getAttributes().get(AttributeKey.stringKey("backchannel.contract")))
          .isEqualTo("native");
    }
    assertThat(attempts.get(0).getAttributes().get(ATTEMPT)).isEqualTo(1L);
    assertThat(attempts.get(0).getAttributes().get(STATUS)).isEqualTo(500L);
    assertThat(attempts.get(0).getAttributes().get(OUTCOME)).isEqualTo("retry");
    assertThat(attempts.get(1).getAttributes().get(ATTEMPT)).isEqualTo(2L);
    assertThat(attempts.get(1).getAttributes().get(STATUS)).isEqualTo(204L);
    assertThat(attempts.get(1).getAttributes().get(OUTCOME)).isEqualTo("succeeded");

    List<RecordingReceiver.Recorded> got = app.requests();
    assertThat(got).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(got.get(i).header("traceparent"))
          .startsWith(parentOf(publish.getTraceId(), attempts.get(i).getSpanId()));
    }
    // The attempts as recorded show the header as sent: it is no secret.
    JsonNode recorded = ok(http.get("/api/v1/deliveries/" + id, adminToken)).get("attempts");
    assertThat(recorded.get(1).get("request").get("headers").get("traceparent").asText())
        .isEqualTo(got.get(1).header("traceparent"));
    assertNoSecretIn(spans.getFinishedSpanItems(), MARKER, "{\"note\"");
  }

  @Test
  void aPublishInACallersTraceJoinsIt() {
    app.answer(Answer.status(204));
    endpoint();
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    long id =
        ok(http.postWithHeader(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"thread.updated\",\"data\":{}}",
                "traceparent",
                traceparent(callerTrace, callerSpan)))
            .get("deliveries")
            .get(0)
            .get("id")
            .asLong();
    SpanData publish = serverSpan("POST /api/v1/apps/{id}/events");
    assertThat(publish.getTraceId()).isEqualTo(callerTrace);
    assertThat(publish.getParentSpanId()).isEqualTo(callerSpan);

    assertThat(server.backchannel().worker().drain()).isEqualTo(1);
    SpanData attempt = attemptSpans(id).get(0);
    assertThat(attempt.getTraceId()).isEqualTo(callerTrace);
    assertThat(attempt.getParentSpanId()).isEqualTo(publish.getSpanId());
    assertThat(app.requests().get(0).header("traceparent"))
        .startsWith(parentOf(callerTrace, attempt.getSpanId()));
  }

  @Test
  void concurrentPublishesWrittenTogetherEachKeepTheirOwnTrace() throws Exception {
    app.answer(Answer.status(204));
    endpoint();
    int n = 24;
    Map<Long, String> traceOf = new java.util.concurrent.ConcurrentHashMap<>();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        String trace = String.format("%032x", 0xabc000L + i);
        all.add(
            threads.submit(
                () ->
                    traceOf.put(
                        ok(http.postWithHeader(
                                "/api/v1/apps/" + appId + "/events",
                                adminToken,
                                "{\"type\":\"thread.updated\",\"data\":{}}",
                                "traceparent",
                                traceparent(trace, "00f067aa0ba902b7")))
                            .get("deliveries")
                            .get(0)
                            .get("id")
                            .asLong(),
                        trace)));
      }
      for (var f : all) {
        f.get();
      }
    }
    assertThat(traceOf).hasSize(n);
    assertThat(server.backchannel().worker().drain()).isEqualTo(n);
    traceOf.forEach(
        (id, trace) -> assertThat(attemptSpans(id).get(0).getTraceId()).isEqualTo(trace));
  }

  @Test
  void aPressCallsTheAppInsideItsRequestsTrace() {
    long thread = postActivity();
    JsonNode result = select(thread, 0, memberToken);
    assertThat(result.get("outcome").asText()).isEqualTo("done");

    SpanData press = serverSpan("POST /api/v1/threads/{id}/actions/{index}");
    List<SpanData> calls =
        spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    assertThat(calls).hasSize(1);
    SpanData call = calls.get(0);
    assertThat(call.getName()).isEqualTo("deliver flowdock");
    assertThat(call.getTraceId()).isEqualTo(press.getTraceId());
    assertThat(call.getParentSpanId()).isEqualTo(press.getSpanId());
    assertThat(call.getAttributes().get(OUTCOME)).isEqualTo("succeeded");
    assertThat(call.getAttributes().get(STATUS)).isEqualTo(200L);
    assertThat(call.getAttributes().get(AttributeKey.longKey("backchannel.endpoint.id")))
        .as("an interactive call goes to no endpoint")
        .isNull();

    RecordingReceiver.Recorded got = app.requests().get(0);
    assertThat(got.header("traceparent"))
        .startsWith(parentOf(press.getTraceId(), call.getSpanId()));
    assertThat(got.header("flowdock-token")).as("still signed").isNotBlank();
    assertNoSecretIn(
        spans.getFinishedSpanItems(), got.header("flowdock-token"), "Assign to me", "Fix bug");
  }

  @Test
  void tracingIsOffUnlessTheOtelVariablesNameWhereSpansGo() {
    assertThat(Tracing.enabled(Map.of(), new Properties())).isFalse();
    assertThat(Tracing.enabled(Map.of("OTEL_SERVICE_NAME", "bc"), new Properties())).isFalse();
    assertThat(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "none"), new Properties())).isFalse();
    assertThat(
            Tracing.enabled(
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), new Properties()))
        .isTrue();
    assertThat(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp"), new Properties())).isTrue();
    assertThat(
            Tracing.enabled(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                    "OTEL_SDK_DISABLED", "true"),
                new Properties()))
        .isFalse();
    Properties properties = new Properties();
    properties.setProperty("otel.exporter.otlp.traces.endpoint", "http://collector:4318");
    assertThat(Tracing.enabled(Map.of(), properties)).isTrue();
    assertThat(Tracing.fromEnvironment(Map.of(), new Properties())).isNull();
  }

  @Test
  void theOtelVariablesExportSpansOverOtlpToTheirEndpoint() throws Exception {
    try (RecordingReceiver collector = RecordingReceiver.start()) {
      collector.answer(Answer.status(200));
      String endpoint = collector.url("").toString().replaceAll("/$", "");
      OpenTelemetrySdk exporting =
          Tracing.fromEnvironment(
              Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, "OTEL_BSP_SCHEDULE_DELAY", "10"),
              new Properties());
      assertThat(exporting).isNotNull();
      exporting.getTracer("test").spanBuilder("a-span-to-export").startSpan().end();
      exporting.close(); // flushes

      RecordingReceiver.Recorded got = collector.take(Duration.ofSeconds(10));
      assertThat(got).isNotNull();
      assertThat(got.method()).isEqualTo("POST");
      assertThat(got.path()).isEqualTo("/v1/traces");
      assertThat(got.header("content-type")).isEqualTo("application/x-protobuf");
      assertThat(got.bodyText()).contains("a-span-to-export").contains("backchannel");
      assertThat(collector.requests()).as("no metrics or logs are exported").hasSize(1);
    }
  }

  /** The server span of the request named so, once it has ended (after its answer went out). */
  private SpanData serverSpan(String name) {
    Instant until = Instant.now().plusSeconds(5);
    while (true) {
      for (SpanData s : spans.getFinishedSpanItems()) {
        if (s.getKind() == SpanKind.SERVER && s.getName().equals(name)) {
          return s;
        }
      }
      assertThat(Instant.now()).as("the span " + name + " ended").isBefore(until);
      Thread.onSpinWait();
    }
  }

  private List<SpanData> attemptSpans(long deliveryId) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> Long.valueOf(deliveryId).equals(s.getAttributes().get(DELIVERY)))
        .sorted(Comparator.comparing(s -> s.getAttributes().get(ATTEMPT)))
        .toList();
  }

  private void assertNoSecretIn(List<SpanData> all, String... more) {
    for (SpanData s : all) {
      s.getAttributes()
          .forEach(
              (key, value) -> {
                String text = String.valueOf(value);
                assertThat(text)
                    .as(s.getName() + " " + key)
                    .doesNotContain(appSecret)
                    .doesNotContain(adminToken)
                    .doesNotContain(memberToken)
                    .doesNotContain(flowToken)
                    .doesNotContain("127.0.0.1");
                for (String m : more) {
                  assertThat(text).as(s.getName() + " " + key).doesNotContain(m);
                }
              });
    }
  }

  private static String traceparent(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  /** A {@code traceparent} naming this trace and parent span, whatever its flags. */
  private static String parentOf(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-";
  }
}
