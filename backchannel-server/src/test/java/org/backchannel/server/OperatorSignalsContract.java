package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.backchannel.core.Json;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.store.Tx;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What operators and app owners are told, over real deliveries to a real receiver: the metrics a
 * scrape shows (behind {@code metrics_token}), and, when an endpoint is disabled, the {@code
 * endpoint.disabled} event to the app's other endpoints, the dashboard's notice to admins and one
 * email through a real SMTP server. The clock is moved by hand; runs once per store.
 */
abstract class OperatorSignalsContract extends ServerFixture {
  static final String METRICS_TOKEN = "metrics-token-0123456789";

  @RegisterExtension
  final GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  @Override
  void configure(Map<String, String> settings) {
    settings.put("metrics_token", METRICS_TOKEN);
    settings.put("smtp_host", "127.0.0.1");
    settings.put("smtp_port", Integer.toString(mail.getSmtp().getPort()));
    settings.put("smtp_starttls", "false"); // the test server speaks plain SMTP
    settings.put("smtp_from", "backchannel@example.com");
  }

  long createEndpoint(String path, String extra) {
    return ok(http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url(path) + "\"" + extra + "}"))
        .get("id")
        .asLong();
  }

  void publish(String type) {
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events",
            adminToken,
            "{\"type\":\"" + type + "\",\"data\":{}}"));
  }

  int drain() {
    return server.backchannel().worker().drain();
  }

  String scrape() {
    Http.Answer answer = http.get("/metrics", METRICS_TOKEN);
    assertThat(answer.status()).isEqualTo(200);
    return answer.text();
  }

  @Test
  void withAMetricsTokenAScrapeMustCarryIt() {
    Http.Answer none = http.get("/metrics", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().get("message").asText()).contains("metrics_token");
    assertThat(http.get("/metrics", METRICS_TOKEN + "x").status()).isEqualTo(401);
    assertThat(http.get("/metrics", adminToken).status())
        .as("an API token is not the metrics token")
        .isEqualTo(401);
    assertThat(http.get("/metrics", METRICS_TOKEN).text()).contains("backchannel_deliveries");
  }

  @Test
  void aScrapeShowsEachEndpointsBacklogAttemptsByStatusClassAndTakeovers() {
    long slow = createEndpoint("/slow", ",\"event_types\":[\"thread.updated\"]");
    long gone = createEndpoint("/gone", ",\"event_types\":[\"thread.updated\"]");
    app.answer(r -> Answer.status(r.path().equals("/gone") ? 410 : 500));
    publish("thread.updated");
    publish("thread.updated");
    String slowTags = "{app=\"gh\",endpoint_id=\"" + slow + "\"}";
    String goneTags = "{app=\"gh\",endpoint_id=\"" + gone + "\"}";

    clock.advance(Duration.ofSeconds(30));
    String before = scrape();
    assertThat(before)
        .contains("backchannel_endpoint_queue_depth" + slowTags + " 2.0")
        .contains("backchannel_endpoint_queue_depth" + goneTags + " 2.0")
        .contains("backchannel_endpoint_oldest_pending_age_seconds" + slowTags + " 30.0")
        .contains("backchannel_endpoint_disabled" + goneTags + " 0.0")
        .contains("backchannel_endpoints_disabled 0.0")
        .contains("backchannel_lease_takeovers_total 0.0");

    drain(); // /slow answers 500 twice (retried later), /gone 410 twice (disabled once)
    clock.advance(Duration.ofSeconds(10));
    String after = scrape();
    assertThat(after)
        .contains("backchannel_endpoint_queue_depth" + slowTags + " 2.0")
        .contains("backchannel_endpoint_oldest_pending_age_seconds" + slowTags + " 40.0")
        .contains("backchannel_endpoint_disabled" + slowTags + " 0.0")
        .contains("backchannel_endpoint_queue_depth" + goneTags + " 0.0")
        .contains("backchannel_endpoint_disabled" + goneTags + " 1.0")
        .contains("backchannel_endpoints_disabled 1.0")
        .contains(
            "backchannel_attempts_total{contract=\"native\",mode=\"background\","
                + "outcome=\"failed\",status_class=\"5xx\"} 2.0")
        .contains(
            "backchannel_attempts_total{contract=\"native\",mode=\"background\","
                + "outcome=\"failed\",status_class=\"4xx\"} 2.0")
        .doesNotContain("backchannel_endpoint_oldest_pending_age_seconds" + goneTags);

    // A node that died holding a delivery: this one takes it over once the lease ran out.
    app.answer(Answer.status(200));
    clock.advance(Duration.ofMinutes(10)); // past /slow's retry
    Instant now = clock.instant();
    assertThat(
            store.transaction(
                (Tx t) ->
                    t.store(DeliveryStore.class)
                        .claimDue("dead-node", now, now.plus(Duration.ofSeconds(5)), 10)))
        .hasSize(2);
    clock.advance(Duration.ofSeconds(6));
    assertThat(drain()).isEqualTo(2);
    String taken = scrape();
    assertThat(taken)
        .contains("backchannel_lease_takeovers_total 2.0")
        .contains(
            "backchannel_attempts_total{contract=\"native\",mode=\"background\","
                + "outcome=\"succeeded\",status_class=\"2xx\"} 2.0")
        .doesNotContain("backchannel_endpoint_queue_depth" + slowTags)
        .contains("backchannel_endpoint_queue_depth" + goneTags + " 0.0");
  }

  @Test
  void aGoneEndpointIsDisabledAndTheAppsOtherEndpointsItsAdminsAndTheirInboxAreTold()
      throws Exception {
    long gone = createEndpoint("/gone", "");
    long watcher = createEndpoint("/watch", ",\"event_types\":[\"endpoint.disabled\"]");
    createEndpoint("/threads", ",\"event_types\":[\"thread.updated\"]");
    app.answer(r -> Answer.status(r.path().equals("/gone") ? 410 : 204));
    publish("thread.updated");

    drain(); // the 410 disables /gone; the event it makes goes out in the same drain
    assertThat(ok(http.get("/api/v1/endpoints/" + gone, adminToken)).get("state").asText())
        .isEqualTo("disabled");

    List<RecordingReceiver.Recorded> got = app.requests();
    assertThat(got.stream().map(RecordingReceiver.Recorded::path))
        .as("the disabled endpoint and the one not subscribed get no endpoint.disabled")
        .containsExactlyInAnyOrder("/gone", "/threads", "/watch");
    RecordingReceiver.Recorded event =
        got.stream().filter(r -> r.path().equals("/watch")).findFirst().orElseThrow();
    StandardWebhooks.verify(
        event::header,
        event.body(),
        List.of(AppSecret.of(appSecret)),
        clock.instant(),
        Duration.ofMinutes(5));
    JsonNode body = Json.read(event.bodyText());
    assertThat(body.get("type").asText()).isEqualTo("endpoint.disabled");
    assertThat(body.get("timestamp").asText()).isEqualTo(clock.instant().toString());
    JsonNode data = body.get("data");
    assertThat(data.get("endpoint_id").asLong()).isEqualTo(gone);
    assertThat(data.get("url").asText()).isEqualTo(app.url("/gone").toString());
    assertThat(data.get("reason").asText()).contains("410");
    assertThat(data.get("disabled_at").asText()).isEqualTo(clock.instant().toString());
    assertThat(data.get("app_id").asLong()).isEqualTo(appId);
    assertThat(
            ok(http.get("/api/v1/deliveries?endpoint_id=" + watcher, adminToken))
                .get("items")
                .findValuesAsText("event"))
        .containsExactly("endpoint.disabled");

    // The admin sees it on every page, the member on none.
    String session = webSession(adminToken);
    String home = page("/ui/apps", session);
    assertThat(home)
        .contains("id=\"disabled-endpoints\"")
        .contains("An endpoint is disabled")
        .contains("Endpoint " + gone + " of <a href=\"/ui/apps/" + appId + "\">GitHub</a>")
        .contains(app.url("/gone").toString())
        .contains("the app answered 410 Gone");
    assertThat(page("/ui/deliveries", session)).contains("id=\"disabled-endpoints\"");
    assertThat(page("/ui/workflows", webSession(memberToken))).doesNotContain("disabled-endpoints");

    // One email, to the workspace's admin only.
    assertThat(mail.waitForIncomingEmail(Duration.ofSeconds(30).toMillis(), 1)).isTrue();
    MimeMessage[] received = mail.getReceivedMessages();
    assertThat(received).hasSize(1);
    MimeMessage email = received[0];
    assertThat(Arrays.stream(email.getRecipients(Message.RecipientType.TO)).map(Object::toString))
        .containsExactly("Ada Admin <ada@example.com>");
    assertThat(email.getFrom()[0].toString()).isEqualTo("backchannel@example.com");
    assertThat(email.getSubject())
        .isEqualTo("Backchannel: endpoint " + gone + " of GitHub is disabled");
    assertThat(((String) email.getContent()).replace("\r\n", "\n"))
        .contains("URL:      " + app.url("/gone"))
        .contains("Reason:   the app answered 410 Gone")
        .contains("/ui/endpoints")
        .contains("backchannel endpoints enable " + gone);

    // Enabled again: the notice goes; failing again later is a new disabling, told again.
    ok(http.send("POST", "/api/v1/endpoints/" + gone + "/enable", adminToken));
    assertThat(page("/ui/apps", session)).doesNotContain("disabled-endpoints");
  }

  @Test
  void anEndpointDisabledForFailingTooLongIsToldOnceThoughTwoAttemptsFailTogether() {
    long failing = createEndpoint("/failing", ",\"event_types\":[\"thread.updated\"]");
    createEndpoint("/watch", ",\"event_types\":[\"endpoint.disabled\"]");
    app.answer(r -> Answer.status(r.path().equals("/failing") ? 500 : 200));
    publish("thread.updated");
    publish("thread.updated");
    drain();
    clock.advance(Duration.ofDays(5).plusHours(11)); // beyond disable_after and the retries due
    drain();

    assertThat(ok(http.get("/api/v1/endpoints/" + failing, adminToken)).get("state").asText())
        .isEqualTo("disabled");
    assertThat(app.requests().stream().filter(r -> r.path().equals("/watch")))
        .as("one disabling, one event")
        .hasSize(1);
    assertThat(mail.waitForIncomingEmail(Duration.ofSeconds(30).toMillis(), 1)).isTrue();
    assertThat(mail.getReceivedMessages()).hasSize(1);
  }

  String webSession(String token) {
    return new WebAccounts(store, clock)
        .startSession(server.backchannel().directory().authenticate(token));
  }

  String page(String path, String session) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.url().resolve(path))
                    .header("Cookie", "bc_session=" + session)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }
}
