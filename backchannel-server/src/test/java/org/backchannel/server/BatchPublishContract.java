package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Publisher;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Publishing many events in one request, through the API and the SDK's {@link Publisher}, to a real
 * receiver: each event is answered on its own, the accepted ones are delivered signed, keys are
 * honoured within a batch and across calls, and a refused request writes nothing. Runs once per
 * store.
 */
abstract class BatchPublishContract extends ServerFixture {
  Publisher publisher;

  @BeforeEach
  void endpointAndPublisher() {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/events") + "\"}"));
    publisher = Publisher.create(server.url(), adminToken);
  }

  int drain() {
    return server.backchannel().worker().drain();
  }

  @Test
  void aThousandEventsAreAnsweredInOrderAndEachIsDeliveredSigned() throws Exception {
    List<Publisher.NewEvent> events = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      events.add(Publisher.NewEvent.of("order.created", Map.of("n", i)));
    }
    List<Publisher.Result> results = publisher.publishBatch(appId, events);

    assertThat(results).hasSize(1000).allMatch(Publisher.Result::accepted);
    assertThat(results.stream().map(r -> r.deliveryIds().size())).containsOnly(1);
    while (drain() > 0) {}
    List<RecordingReceiver.Recorded> got = app.requests();
    assertThat(got).hasSize(1000);
    for (RecordingReceiver.Recorded r : got) {
      StandardWebhooks.verify(
          r::header,
          r.body(),
          List.of(AppSecret.of(appSecret)),
          clock.instant(),
          Duration.ofMinutes(5));
    }
    // Each result names the delivery that carried its own event.
    long fifth = results.get(5).deliveryIds().get(0);
    JsonNode d = ok(http.get("/api/v1/deliveries/" + fifth, adminToken));
    assertThat(d.get("attempts").get(0).get("request").get("body").asText())
        .contains("\"data\":{\"n\":5}");
  }

  @Test
  void aRefusedEventIsAnsweredWithItsReasonsAndTheOthersStillGo() {
    Http.Answer answer =
        http.post(
            "/api/v1/apps/" + appId + "/events/batch",
            adminToken,
            "{\"events\":[{\"type\":\"a.b\",\"data\":{}},{\"type\":\"a b\",\"data\":{}},"
                + "{\"type\":\"c.d\"},7,{\"type\":\"e.f\",\"data\":[1]}]}");

    assertThat(answer.status()).isEqualTo(202);
    JsonNode body = answer.json();
    assertThat(body.get("accepted").asInt()).isEqualTo(2);
    assertThat(body.get("refused").asInt()).isEqualTo(3);
    JsonNode results = body.get("results");
    assertThat(results.get(0).get("status").asInt()).isEqualTo(202);
    assertThat(results.get(1).get("errors").get("type").get(0).asText())
        .contains("letters, digits");
    assertThat(results.get(2).get("errors").get("data").get(0).asText()).isEqualTo("is required");
    assertThat(results.get(3).get("errors").get("event").get(0).asText())
        .isEqualTo("must be a JSON object");
    assertThat(results.get(4).get("delivery_ids")).hasSize(1);
    assertThat(drain()).isEqualTo(2);
    assertThat(app.requests()).hasSize(2);
  }

  @Test
  void anEventTypeIsLettersDigitsAndDotUnderscoreColonDash() {
    JsonNode results =
        ok(http.post(
                "/api/v1/apps/" + appId + "/events/batch",
                adminToken,
                "{\"events\":[{\"type\":\"Order_9.created:v2-x\",\"data\":{}},"
                    + "{\"type\":\"ord\u00e9r\",\"data\":{}},{\"type\":\"a/b\",\"data\":{}},"
                    + "{\"type\":\"a@b\",\"data\":{}}]}"))
            .get("results");

    assertThat(results.get(0).get("status").asInt()).isEqualTo(202);
    for (int i = 1; i < 4; i++) {
      assertThat(results.get(i).get("errors").get("type").get(0).asText())
          .isEqualTo("must be letters, digits, '.', '_', ':' or '-'");
    }
  }

  @Test
  void anIdempotencyKeyGivesTheFirstDeliveryWithinABatchAndAcrossCalls() throws Exception {
    var first =
        publisher.publishBatch(
            appId,
            List.of(
                new Publisher.NewEvent("invoice.paid", Map.of("id", 1), "inv-1"),
                new Publisher.NewEvent("invoice.paid", Map.of("id", 1), "inv-1"),
                new Publisher.NewEvent("invoice.paid", Map.of("id", 2), "inv-2")));
    var again =
        publisher.publishBatch(
            appId, List.of(new Publisher.NewEvent("invoice.paid", Map.of("id", 2), "inv-2")));
    var single =
        publisher.publish(appId, new Publisher.NewEvent("invoice.paid", Map.of("id", 1), "inv-1"));

    assertThat(first.get(1).deliveryIds()).isEqualTo(first.get(0).deliveryIds());
    assertThat(again.get(0).deliveryIds()).isEqualTo(first.get(2).deliveryIds());
    assertThat(single.deliveryIds()).isEqualTo(first.get(0).deliveryIds());
    assertThat(drain()).isEqualTo(2);
    assertThat(app.requests()).hasSize(2);
  }

  @Test
  void aRequestRefusedAsAWholeWritesNothing() throws Exception {
    for (String bad :
        List.of(
            "{}",
            "{\"events\":[]}",
            "{\"events\":{\"type\":\"a\"}}",
            "{\"events\":[" + "{\"type\":\"a\",\"data\":{}},".repeat(1000) + "{}]}")) {
      Http.Answer answer = http.post("/api/v1/apps/" + appId + "/events/batch", adminToken, bad);
      assertThat(answer.status()).as(bad.substring(0, Math.min(40, bad.length()))).isEqualTo(400);
      assertThat(answer.json().get("errors").has("events")).isTrue();
    }
    assertThat(
            http.post(
                    "/api/v1/apps/" + appId + "/events/batch",
                    memberToken,
                    "{\"events\":[{\"type\":\"a\",\"data\":{}}]}")
                .status())
        .isEqualTo(403);
    assertThat(drain()).isZero();
    try {
      Publisher.create(server.url(), "bcu_not-a-token")
          .publishBatch(appId, List.of(Publisher.NewEvent.of("a", Map.of())));
      throw new AssertionError("a bad token was accepted");
    } catch (Publisher.RefusedException e) {
      assertThat(e.status()).isEqualTo(401);
    }
    assertThat(app.requests()).isEmpty();
  }

  @Test
  void theSdkReadsARefusedSingleEventAsAResult() throws Exception {
    Publisher.Result refused = publisher.publish(appId, Publisher.NewEvent.of("a b", Map.of()));
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errors()).containsKey("type");
    Publisher.Result ok = publisher.publish(appId, Publisher.NewEvent.of("a.b", Map.of("x", 1)));
    assertThat(ok.accepted()).isTrue();
    assertThat(ok.deliveryIds()).hasSize(1);
  }
}
