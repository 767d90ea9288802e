package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/** Tracing off, as by default: no {@code traceparent} goes out, and none is recorded. */
final class TracingOffTest extends ServerFixture {
  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  @Test
  void noTraceparentIsSentOrRecordedWhenTracingIsOff() {
    AtomicInteger calls = new AtomicInteger();
    app.answer(r -> calls.getAndIncrement() == 0 ? Answer.status(500) : Answer.status(204));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/events") + "\"}"));
    long id =
        ok(http.postWithHeader(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"thread.updated\",\"data\":{}}",
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
            .get("deliveries")
            .get(0)
            .get("id")
            .asLong();
    server.backchannel().worker().drain();
    clock.advance(Duration.ofHours(3));
    server.backchannel().worker().drain();
    select(postActivity(), 0, memberToken);

    assertThat(app.requests()).hasSize(3);
    for (RecordingReceiver.Recorded r : app.requests()) {
      assertThat(r.header("traceparent")).isNull();
    }
    JsonNode attempts = ok(http.get("/api/v1/deliveries/" + id, adminToken)).get("attempts");
    assertThat(attempts).hasSize(2);
    for (JsonNode a : attempts) {
      assertThat(a.get("request").get("headers").has("traceparent")).isFalse();
    }
  }
}
