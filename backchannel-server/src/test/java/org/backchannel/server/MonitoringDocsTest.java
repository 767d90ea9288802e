package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and the Grafana dashboard in docs/ are well formed and use only metrics a real
 * server exposes: a scrape after real deliveries (one endpoint disabled, one with a backlog) must
 * show every name they query.
 */
final class MonitoringDocsTest extends ServerFixture {
  private static final Path DOCS = Path.of("..", "docs");
  private static final Pattern METRIC = Pattern.compile("\\bbackchannel_[a-z0-9_]+");

  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  @Test
  void theAlertRulesAreAPrometheusRuleFileOnMetricsTheServerExposes() throws IOException {
    JsonNode file =
        new ObjectMapper(new YAMLFactory())
            .readTree(DOCS.resolve("prometheus-alerts.yaml").toFile());
    List<String> alerts = new ArrayList<>();
    List<String> expressions = new ArrayList<>();
    for (JsonNode group : file.get("groups")) {
      assertThat(group.get("name").asText()).isNotBlank();
      for (JsonNode rule : group.get("rules")) {
        alerts.add(rule.get("alert").asText());
        expressions.add(rule.get("expr").asText());
        assertThat(rule.path("labels").path("severity").asText()).as(rule.toString()).isNotBlank();
        assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
        if (rule.has("for")) {
          assertThat(rule.get("for").asText()).matches("\\d+[smh]");
        }
      }
    }
    assertThat(alerts)
        .containsExactly(
            "BackchannelDeliveriesWaiting",
            "BackchannelEndpointDisabled",
            "BackchannelHighFailureRatio");
    assertExposed(expressions);
  }

  @Test
  void theGrafanaDashboardQueriesMetricsTheServerExposes() throws IOException {
    JsonNode dashboard =
        new ObjectMapper().readTree(DOCS.resolve("grafana-dashboard.json").toFile());
    assertThat(dashboard.get("title").asText()).isEqualTo("Backchannel");
    assertThat(dashboard.get("schemaVersion").asInt()).isPositive();
    List<String> expressions = new ArrayList<>();
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
      assertThat(panel.get("gridPos").has("w")).isTrue();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
        expressions.add(target.get("expr").asText());
      }
    }
    assertThat(expressions).hasSizeGreaterThan(10);
    assertExposed(expressions);
  }

  /** Every metric the expressions name is in a scrape of a server that has done some work. */
  private void assertExposed(List<String> expressions) {
    long gone =
        ok(http.post(
                "/api/v1/apps/" + appId + "/endpoints",
                adminToken,
                "{\"url\":\"" + app.url("/gone") + "\"}"))
            .get("id")
            .asLong();
    app.answer(r -> Answer.status(r.path().equals("/gone") ? 410 : 500));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/endpoints",
            adminToken,
            "{\"url\":\"" + app.url("/failing") + "\"}"));
    ok(
        http.post(
            "/api/v1/apps/" + appId + "/events", adminToken, "{\"type\":\"a.b\",\"data\":{}}"));
    server.backchannel().worker().drain();
    clock.advance(Duration.ofMinutes(1));
    assertThat(ok(http.get("/api/v1/endpoints/" + gone, adminToken)).get("state").asText())
        .isEqualTo("disabled");
    Set<String> exposed = new TreeSet<>();
    for (String line : http.get("/metrics", null).text().split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        exposed.add(line.split("[{ ]", 2)[0]);
      }
    }
    Set<String> used = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(exposed).containsAll(used);
  }
}
