package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.store.Tx;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;

/**
 * Background deliveries through the durable queue, against a real receiver that fails, times out,
 * asks to slow down, is gone, and recovers. The clock is moved by hand and the worker is driven
 * with drain(), so no test waits for time to pass. Runs once per store.
 */
abstract class DeliveryEngineContract extends ServerFixture {
  long endpointId;

  @Override
  void configure(Map<String, String> settings) {
    settings.put("background_timeout", "500ms");
    settings.put("disable_after", "1h");
  }

  long createEndpoint(String path, String extra) {
    JsonNode e =
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\":\"" + app.url(path) + "\"" + extra + "}"));
    return e.get("id").asLong();
  }

  JsonNode publish(String type, String data) {
    return ok(
        http.post(
            "/api/v1/apps/" + appId + "/events",
            adminToken,
            "{\"type\":\"" + type + "\",\"data\":" + data + "}"));
  }

  long publishOne(String data) {
    if (endpointId == 0) {
      endpointId = createEndpoint("/events", "");
    }
    JsonNode published = publish("thread.updated", data);
    assertThat(published.get("deliveries")).hasSize(1);
    return published.get("deliveries").get(0).get("id").asLong();
  }

  int drain() {
    return server.backchannel().worker().drain();
  }

  JsonNode delivery(long id) {
    return ok(http.get("/api/v1/deliveries/" + id, adminToken));
  }

  JsonNode endpoint(long id) {
    return ok(http.get("/api/v1/endpoints/" + id, adminToken));
  }

  @Test
  void aFailedDeliveryIsRetriedOnScheduleWithTheSameIdAndThenSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    app.answer(r -> calls.getAndIncrement() == 0 ? Answer.status(500) : Answer.status(204));
    long id = publishOne("{\"n\":1}");

    assertThat(drain()).isEqualTo(1);
    assertThat(delivery(id).get("state").asText()).isEqualTo("pending");
    assertThat(drain()).as("not due before its wait").isZero();

    clock.advance(Duration.ofSeconds(6)); // 5 s ± 10 %
    assertThat(drain()).isEqualTo(1);

    JsonNode d = delivery(id);
    assertThat(d.get("state").asText()).isEqualTo("succeeded");
    assertThat(d.get("attempts")).hasSize(2);
    assertThat(d.get("attempts").get(0).get("response").get("status").asInt()).isEqualTo(500);
    List<RecordingReceiver.Recorded> got = app.requests();
    assertThat(got).hasSize(2);
    assertThat(got.get(0).header("webhook-id")).isEqualTo(got.get(1).header("webhook-id"));
    assertThat(got.get(1).header("webhook-id")).isEqualTo(d.get("message_id").asText());
    for (RecordingReceiver.Recorded r : got) {
      StandardWebhooks.verify(
          r::header,
          r.body(),
          List.of(AppSecret.of(appSecret)),
          clock.instant(),
          Duration.ofMinutes(5));
      assertThat(r.bodyText())
          .contains("\"type\":\"thread.updated\"")
          .contains("\"data\":{\"n\":1}");
    }
  }

  @Test
  void aDeliveryThatNeverSucceedsFailsAfterTheWholeScheduleAndIsVisible() {
    app.answer(Answer.status(500));
    long id = publishOne("{}");
    int attempts = 0;
    for (int i = 0; i < 20 && !delivery(id).get("state").asText().equals("failed"); i++) {
      attempts += drain();
      clock.advance(Duration.ofHours(12));
      // keep the endpoint from being disabled for failing too long: this test is about one delivery
      http.send("POST", "/api/v1/endpoints/" + endpointId + "/enable", adminToken);
    }

    JsonNode d = delivery(id);
    assertThat(d.get("state").asText()).isEqualTo("failed");
    assertThat(attempts).isEqualTo(8);
    assertThat(d.get("attempts")).hasSize(8);
    assertThat(d.get("summary").asText()).contains("no attempt left");
    JsonNode failed = ok(http.get("/api/v1/deliveries?state=failed", adminToken));
    assertThat(failed.get("items").findValuesAsText("id")).containsExactly(Long.toString(id));
    JsonNode ofType =
        ok(http.get("/api/v1/deliveries?state=failed&event=thread.updated", adminToken));
    assertThat(ofType.get("items").findValuesAsText("id")).containsExactly(Long.toString(id));
    JsonNode otherType = ok(http.get("/api/v1/deliveries?event=task.updated", adminToken));
    assertThat(otherType.get("items")).isEmpty();
  }

  @Test
  void retryAfterOn429IsHonoured() {
    AtomicInteger calls = new AtomicInteger();
    app.answer(
        r ->
            calls.getAndIncrement() == 0
                ? Answer.status(429).withHeader("Retry-After", "120")
                : Answer.status(200));
    long id = publishOne("{}");

    drain();
    clock.advance(Duration.ofSeconds(60));
    assertThat(drain()).as("the app asked for two minutes").isZero();
    clock.advance(Duration.ofSeconds(61));
    assertThat(drain()).isEqualTo(1);
    assertThat(delivery(id).get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void retryAfterAsADateOn503IsHonoured() {
    AtomicInteger calls = new AtomicInteger();
    String inTenMinutes =
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            clock.instant().plus(Duration.ofMinutes(10)).atZone(java.time.ZoneOffset.UTC));
    app.answer(
        r ->
            calls.getAndIncrement() == 0
                ? Answer.status(503).withHeader("Retry-After", inTenMinutes)
                : Answer.status(200));
    long id = publishOne("{}");

    drain();
    clock.advance(Duration.ofMinutes(9));
    assertThat(drain()).isZero();
    clock.advance(Duration.ofMinutes(2));
    assertThat(drain()).isEqualTo(1);
    assertThat(delivery(id).get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void goneStopsTheEndpointUntilAnOperatorEnablesIt() {
    app.answer(Answer.status(410));
    long first = publishOne("{\"n\":1}");
    drain();
    assertThat(delivery(first).get("state").asText()).isEqualTo("failed");
    JsonNode e = endpoint(endpointId);
    assertThat(e.get("state").asText()).isEqualTo("disabled");
    assertThat(e.get("disabled_reason").asText()).contains("410");

    long second = publishOne("{\"n\":2}");
    assertThat(drain()).as("a disabled endpoint is not called").isZero();
    assertThat(delivery(second).get("state").asText()).isEqualTo("pending");

    app.answer(Answer.status(200));
    ok(http.send("POST", "/api/v1/endpoints/" + endpointId + "/enable", adminToken));
    assertThat(drain()).isEqualTo(1);
    assertThat(delivery(second).get("state").asText()).isEqualTo("succeeded");
    assertThat(app.requests()).hasSize(2);
  }

  @Test
  void anAppThatDoesNotAnswerInTimeIsRetried() {
    app.answer(Answer.never());
    long id = publishOne("{}");

    assertThat(drain()).isEqualTo(1);

    JsonNode d = delivery(id);
    assertThat(d.get("state").asText()).isEqualTo("pending");
    assertThat(d.get("attempts").get(0).get("error").asText()).startsWith("timeout");
  }

  @Test
  void anEndpointFailingLongerThanAllowedIsDisabledAndItsOwnerCanSeeIt() {
    app.answer(Answer.status(500));
    publishOne("{}");
    drain();
    clock.advance(Duration.ofSeconds(6));
    drain();
    assertThat(endpoint(endpointId).get("state").asText()).isEqualTo("enabled");
    assertThat(endpoint(endpointId).get("failing_since").isNull()).isFalse();

    clock.advance(Duration.ofMinutes(6));
    drain(); // third attempt, at about 6 minutes; then the next waits 30 minutes
    clock.advance(Duration.ofMinutes(60));
    drain(); // fourth attempt, at about 66 minutes: failing for over an hour now

    JsonNode e = endpoint(endpointId);
    assertThat(e.get("state").asText()).isEqualTo("disabled");
    assertThat(e.get("disabled_reason").asText()).contains("failing");
    JsonNode listed = ok(http.get("/api/v1/endpoints", adminToken));
    assertThat(listed.findValuesAsText("state")).containsExactly("disabled");
  }

  @Test
  void aSuccessClearsTheFailingMark() {
    AtomicInteger calls = new AtomicInteger();
    app.answer(r -> calls.getAndIncrement() == 0 ? Answer.status(500) : Answer.status(200));
    publishOne("{}");
    drain();
    assertThat(endpoint(endpointId).get("failing_since").isNull()).isFalse();
    clock.advance(Duration.ofSeconds(6));
    drain();
    assertThat(endpoint(endpointId).get("failing_since").isNull()).isTrue();
  }

  @Test
  void aFifoEndpointGetsEachDeliveryOnlyAfterTheOneBeforeIt() {
    endpointId = createEndpoint("/ordered", ",\"fifo\":true");
    AtomicInteger calls = new AtomicInteger();
    app.answer(r -> calls.getAndIncrement() == 0 ? Answer.status(500) : Answer.status(200));
    for (int n = 1; n <= 3; n++) {
      publishOne("{\"n\":" + n + "}");
    }

    assertThat(drain()).as("only the first may go; it fails").isEqualTo(1);
    clock.advance(Duration.ofSeconds(6));
    drain();

    List<String> order = new ArrayList<>();
    for (RecordingReceiver.Recorded r : app.requests()) {
      order.add(r.bodyText().replaceAll(".*\"n\":(\\d).*", "$1"));
    }
    assertThat(order).containsExactly("1", "1", "2", "3");
  }

  @Test
  void theSameIdempotencyKeyCreatesOneDelivery() {
    endpointId = createEndpoint("/events", "");
    String body = "{\"type\":\"invoice.paid\",\"data\":{\"id\":7}}";
    var first =
        http.postWithHeader(
            "/api/v1/apps/" + appId + "/events", adminToken, body, "Idempotency-Key", "k-7");
    var second =
        http.postWithHeader(
            "/api/v1/apps/" + appId + "/events", adminToken, body, "Idempotency-Key", "k-7");

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.json().get("deliveries").get(0).get("id"))
        .isEqualTo(first.json().get("deliveries").get(0).get("id"));
    assertThat(drain()).isEqualTo(1);
    assertThat(app.requests()).hasSize(1);
  }

  @Test
  void anEventGoesOnlyToEndpointsSubscribedToItsType() {
    createEndpoint("/all", "");
    createEndpoint("/invoices", ",\"event_types\":[\"invoice.paid\"]");

    assertThat(publish("invoice.paid", "{}").get("deliveries")).hasSize(2);
    assertThat(publish("thread.updated", "{}").get("deliveries")).hasSize(1);
    drain();
    assertThat(app.requests().stream().map(RecordingReceiver.Recorded::path))
        .containsExactlyInAnyOrder("/all", "/invoices", "/all");
  }

  @Test
  void anOperatorReplaysOneDeliveryOrEveryFailedOneOfAnEndpoint() {
    app.answer(Answer.status(200));
    long ok = publishOne("{\"n\":1}");
    drain();
    JsonNode replayed = ok(http.send("POST", "/api/v1/deliveries/" + ok + "/replay", adminToken));
    assertThat(replayed.get("state").asText()).isEqualTo("pending");
    drain();
    assertThat(delivery(ok).get("attempts")).hasSize(2);
    assertThat(app.requests().get(1).header("webhook-id"))
        .isEqualTo(app.requests().get(0).header("webhook-id"));

    app.answer(Answer.status(410));
    long gone = publishOne("{\"n\":2}");
    drain();
    app.answer(Answer.status(200));
    ok(http.send("POST", "/api/v1/endpoints/" + endpointId + "/enable", adminToken));
    JsonNode n =
        ok(
            http.send(
                "POST",
                "/api/v1/endpoints/" + endpointId + "/replay?since=2000-01-01T00:00:00Z",
                adminToken));
    assertThat(n.get("replayed").asInt()).isEqualTo(1);
    drain();
    assertThat(delivery(gone).get("state").asText()).isEqualTo("succeeded");

    assertThat(http.send("POST", "/api/v1/deliveries/" + gone + "/replay", memberToken).status())
        .isEqualTo(403);
  }

  @Test
  void aPersonsCallIsNeitherQueuedNorReplayed() {
    long thread = postActivity();
    JsonNode result = select(thread, 0, memberToken);
    long id = result.get("delivery_id").asLong();

    assertThat(drain()).isZero();
    assertThat(http.send("POST", "/api/v1/deliveries/" + id + "/replay", adminToken).status())
        .isEqualTo(409);
  }

  @Test
  void aLeaseThatRunsOutIsTakenOver() {
    app.answer(Answer.status(200));
    long id = publishOne("{}");
    Instant now = clock.instant();
    List<Delivery> held =
        store.transaction(
            t ->
                t.store(DeliveryStore.class)
                    .claimDue("crashed-node", now, now.plus(Duration.ofMinutes(1)), 10));
    assertThat(held).extracting(Delivery::id).containsExactly(id);

    assertThat(drain()).as("still leased to the crashed node").isZero();
    clock.advance(Duration.ofSeconds(61));
    assertThat(drain()).isEqualTo(1);
    assertThat(delivery(id).get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void aLiveNodeKeepsItsLeasesByRenewingThemAndADeadNodesAreTakenOver() {
    endpointId = createEndpoint("/leases", "");
    publishOne("{}");
    publishOne("{}");
    Instant t0 = clock.instant();
    Duration lease = Duration.ofSeconds(5);
    assertThat(claim("live", t0, lease, 1)).hasSize(1);
    assertThat(claim("dead", t0, lease, 1)).hasSize(1);

    clock.advance(Duration.ofSeconds(3));
    Instant t3 = clock.instant();
    assertThat(
            store.transaction(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .renewLeases("live", t3.plus(lease.dividedBy(2)), t3.plus(lease))))
        .as("past half-way: renewed")
        .isEqualTo(1);

    clock.advance(Duration.ofSeconds(3)); // the dead node's lease ran out; the live one's did not
    Instant t6 = clock.instant();
    assertThat(
            store.transaction(
                (Tx t) -> t.store(DeliveryStore.class).releaseExpiredLeases("dead", t6)))
        .as("a node never takes back its own leases as expired")
        .isZero();
    assertThat(
            store.transaction(
                (Tx t) -> t.store(DeliveryStore.class).releaseExpiredLeases("live", t6)))
        .as("the dead node's delivery goes back to the queue")
        .isEqualTo(1);
    assertThat(
            store
                .transaction((Tx t) -> t.store(DeliveryStore.class).countByState())
                .get(DeliveryState.SENDING))
        .as("the live node still holds its own")
        .isEqualTo(1);
  }

  private List<Delivery> claim(String node, Instant now, Duration lease, int limit) {
    return store.transaction(
        (Tx t) -> t.store(DeliveryStore.class).claimDue(node, now, now.plus(lease), limit));
  }

  @Test
  void aClaimTakesNoMoreThanAnEndpointsInFlightLimit() {
    endpointId = createEndpoint("/slow", ",\"max_in_flight\":2");
    for (int n = 0; n < 5; n++) {
      publishOne("{}");
    }
    Instant now = clock.instant();
    Instant until = now.plus(Duration.ofMinutes(1));

    assertThat(
            store.transaction((Tx t) -> t.store(DeliveryStore.class).claimDue("a", now, until, 10)))
        .hasSize(2);
    assertThat(
            store.transaction((Tx t) -> t.store(DeliveryStore.class).claimDue("b", now, until, 10)))
        .isEmpty();
    store.transaction((Tx t) -> t.store(DeliveryStore.class).releaseOwned("a", now));
    assertThat(
            store.transaction((Tx t) -> t.store(DeliveryStore.class).claimDue("b", now, until, 10)))
        .hasSize(2);
    assertThat(
            store
                .transaction((Tx t) -> t.store(DeliveryStore.class).countByState())
                .get(DeliveryState.SENDING))
        .isEqualTo(2);
  }

  @Test
  void stoppingTheWorkerPutsWhatItHeldBackInTheQueue() {
    app.answer(Answer.never());
    long id = publishOne("{}");
    server.backchannel().worker().start();
    app.take(Duration.ofSeconds(10)); // the worker is now sending it

    server.backchannel().worker().stop(Duration.ofMillis(100));

    JsonNode d = delivery(id);
    assertThat(d.get("state").asText()).isEqualTo("pending");
  }

  @Test
  void metricsShowQueueDepthAttemptsByOutcomeAndLatency() {
    AtomicInteger calls = new AtomicInteger();
    app.answer(r -> calls.getAndIncrement() == 0 ? Answer.status(500) : Answer.status(200));
    publishOne("{}");
    publishOne("{}");
    drain();

    String metrics = http.get("/metrics", null).text();

    assertThat(metrics)
        .contains(
            "backchannel_attempts_total{contract=\"native\",mode=\"background\",outcome=\"failed\",status_class=\"5xx\"} 1.0")
        .contains(
            "backchannel_attempts_total{contract=\"native\",mode=\"background\",outcome=\"succeeded\",status_class=\"2xx\"} 1.0")
        .contains("backchannel_deliveries{state=\"pending\"} 1.0")
        .contains("backchannel_deliveries{state=\"sending\"} 0.0")
        .contains("backchannel_attempt_duration_seconds_bucket")
        // finished deliveries are not counted: that would read every one kept, each scrape
        .doesNotContain("backchannel_deliveries{state=\"succeeded\"}");
  }

  @Test
  void badEndpointAndEventInputIs400() {
    assertThat(
            http.post("/api/v1/apps/" + appId + "/endpoints", adminToken, "{\"url\":\"ftp://x\"}")
                .json()
                .get("errors")
                .has("url"))
        .isTrue();
    assertThat(
            http.post(
                    "/api/v1/apps/" + appId + "/endpoints",
                    adminToken,
                    "{\"url\":\"https://a.example\",\"max_in_flight\":0}")
                .json()
                .get("errors")
                .has("max_in_flight"))
        .isTrue();
    JsonNode errors =
        http.post("/api/v1/apps/" + appId + "/events", adminToken, "{\"type\":\"a b\"}")
            .json()
            .get("errors");
    assertThat(errors.has("type") && errors.has("data")).isTrue();
    assertThat(
            http.post(
                    "/api/v1/apps/" + appId + "/events",
                    memberToken,
                    "{\"type\":\"x\",\"data\":{}}")
                .status())
        .isEqualTo(403);
    assertThat(http.get("/api/v1/endpoints/99999", adminToken).status()).isEqualTo(404);
  }
}
