package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.delivery.DeliveryCount;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.workspace.User;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;

/**
 * Retention through the server: an admin sets the workspace's own through the API and the
 * dashboard, the purge removes what is past it, a removed delivery answers 404 saying why, the
 * chart counts the same, and {@code /metrics} shows what was purged. The clock is set by hand and
 * the purge run by the test. Runs once per store.
 */
abstract class RetentionContract extends ServerFixture {
  private final HttpClient browser =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Override
  void configure(Map<String, String> settings) {
    settings.put("retention", "2h");
  }

  JsonNode workspace(String token) {
    return ok(http.get("/api/v1/workspace", token));
  }

  Http.Answer patch(String token, String body) {
    return http.send("PATCH", "/api/v1/workspace", token, body);
  }

  @Test
  void anAdminSetsTheWorkspacesRetentionThroughTheApi() {
    JsonNode before = workspace(memberToken);
    assertThat(before.get("retention").asText()).isEqualTo("2h");
    assertThat(before.get("retention_default").asText()).isEqualTo("2h");
    assertThat(before.get("retention_overridden").asBoolean()).isFalse();

    JsonNode set = ok(patch(adminToken, "{\"retention\":\"7d\"}"));
    assertThat(set.get("retention").asText()).isEqualTo("7d");
    assertThat(set.get("retention_default").asText()).isEqualTo("2h");
    assertThat(set.get("retention_overridden").asBoolean()).isTrue();
    assertThat(workspace(memberToken).get("retention").asText()).isEqualTo("7d");
    assertThat(ok(patch(adminToken, "{\"retention\":\"PT36H\"}")).get("retention").asText())
        .isEqualTo("36h");
    // nothing sent, nothing changed
    assertThat(ok(patch(adminToken, "{}")).get("retention").asText()).isEqualTo("36h");

    Http.Answer member = patch(memberToken, "{\"retention\":\"1d\"}");
    assertThat(member.status()).isEqualTo(403);
    for (String bad : List.of("\"30s\"", "\"3651d\"", "\"soon\"", "\"\"", "5", "true")) {
      Http.Answer refused = patch(adminToken, "{\"retention\":" + bad + "}");
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.json().path("errors").has("retention")).as(refused.text()).isTrue();
    }
    assertThat(workspace(adminToken).get("retention").asText()).isEqualTo("36h");

    JsonNode back = ok(patch(adminToken, "{\"retention\":\"default\"}"));
    assertThat(back.get("retention").asText()).isEqualTo("2h");
    assertThat(back.get("retention_overridden").asBoolean()).isFalse();
  }

  @Test
  void aPurgedDeliveryIsGoneWithItsAttemptsWhileTheChartAndMetricsShowIt() {
    app.answer(r -> Answer.status(204));
    long endpoint =
        ok(http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\":\"" + app.url("/events") + "\"}"))
            .get("id")
            .asLong();
    assertThat(endpoint).isPositive();
    long sent = publish();
    long waiting;
    assertThat(server.backchannel().worker().drain()).isEqualTo(1);
    app.answer(r -> Answer.status(500));
    waiting = publish();
    assertThat(server.backchannel().worker().drain()).isEqualTo(1); // failed; retried later
    assertThat(ok(http.get("/api/v1/deliveries/" + sent, adminToken)).get("state").asText())
        .isEqualTo("succeeded");
    User ada = server.backchannel().directory().authenticate(adminToken);
    Instant hour = NOW.truncatedTo(ChronoUnit.HOURS);
    List<DeliveryCount> chart =
        server.backchannel().deliveries().counts(ada, hour, Duration.ofHours(1), 1);
    assertThat(chart).containsExactly(new DeliveryCount(hour, 2, 0));

    ok(patch(adminToken, "{\"retention\":\"1m\"}"));
    clock.advance(Duration.ofMinutes(2));
    Retention.Run run = server.backchannel().retention().purge();

    assertThat(run.deliveries()).isEqualTo(1);
    assertThat(run.attempts()).isEqualTo(1);
    Http.Answer gone = http.get("/api/v1/deliveries/" + sent, adminToken);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().get("message").asText())
        .isEqualTo(
            "delivery "
                + sent
                + " not found: finished deliveries are removed once they are older than the"
                + " workspace's retention");
    // still being retried: kept, whatever its age
    assertThat(ok(http.get("/api/v1/deliveries/" + waiting, adminToken)).get("state").asText())
        .isEqualTo("pending");
    assertThat(server.backchannel().deliveries().counts(ada, hour, Duration.ofHours(1), 1))
        .isEqualTo(chart);
    String metrics = http.get("/metrics", null).text();
    assertThat(metrics)
        .contains("backchannel_purged_total{table=\"deliveries\"} 1.0")
        .contains("backchannel_purged_total{table=\"attempts\"} 1.0")
        .contains("backchannel_purged_total{table=\"delivery_bodies\"} 1.0")
        .contains("backchannel_reclaimed_pages_total");
  }

  long publish() {
    JsonNode published =
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/events",
                adminToken,
                "{\"type\":\"thread.updated\",\"data\":{\"n\":1}}"));
    return published.get("deliveries").get(0).get("id").asLong();
  }

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  HttpResponse<String> page(String session, String path) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(server.url().resolve(path))
            .header("Cookie", "bc_session=" + session)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> form(String session, String path, Map<String, String> fields)
      throws Exception {
    StringBuilder body = new StringBuilder();
    fields.forEach(
        (k, v) ->
            body.append(body.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return browser.send(
        HttpRequest.newBuilder(server.url().resolve(path))
            .header("Cookie", "bc_session=" + session)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String csrf(HttpResponse<String> page) {
    Matcher m = CSRF.matcher(page.body());
    assertThat(m.find()).as(page.body()).isTrue();
    return m.group(1);
  }

  @Test
  void theDashboardShowsAndSetsTheRetention() throws Exception {
    WebAccounts accounts = new WebAccounts(store, clock);
    String session =
        accounts.startSession(server.backchannel().directory().authenticate(adminToken));
    HttpResponse<String> deliveries = page(session, "/ui/deliveries");
    assertThat(deliveries.statusCode()).isEqualTo(200);
    assertThat(deliveries.body())
        .contains("<strong id=\"retention-now\">2h</strong> (the server's setting)");
    String csrf = csrf(deliveries);

    HttpResponse<String> saved =
        form(session, "/ui/deliveries/retention", Map.of("csrf", csrf, "retention", "12h"));
    assertThat(saved.statusCode()).isEqualTo(303);
    assertThat(saved.headers().firstValue("Location")).hasValue("/ui/deliveries?retention=saved");
    HttpResponse<String> after = page(session, "/ui/deliveries?retention=saved");
    assertThat(after.body())
        .contains("Retention saved.")
        .contains("<strong id=\"retention-now\">12h</strong>.")
        .contains("Use the server's setting (2h)");
    assertThat(workspace(adminToken).get("retention").asText()).isEqualTo("12h");

    HttpResponse<String> bad =
        form(session, "/ui/deliveries/retention", Map.of("csrf", csrf, "retention", "forever"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("retention must be a duration such as 12h, 7d or 90d");
    HttpResponse<String> forged =
        form(session, "/ui/deliveries/retention", Map.of("csrf", "forged", "retention", "1h"));
    assertThat(forged.statusCode()).isEqualTo(403);

    HttpResponse<String> reset =
        form(session, "/ui/deliveries/retention", Map.of("csrf", csrf, "retention", "default"));
    assertThat(reset.statusCode()).isEqualTo(303);
    assertThat(workspace(adminToken).get("retention_overridden").asBoolean()).isFalse();

    String memberSession =
        accounts.startSession(server.backchannel().directory().authenticate(memberToken));
    String memberCsrf = csrf(page(memberSession, "/ui/flows/" + flowId));
    HttpResponse<String> refused =
        form(
            memberSession,
            "/ui/deliveries/retention",
            Map.of("csrf", memberCsrf, "retention", "1h"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(workspace(adminToken).get("retention").asText()).isEqualTo("2h");
  }
}
