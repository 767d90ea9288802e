package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.backchannel.core.wiring.Backchannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
  @Test
  void defaultsAreTheEnginesOwn() {
    Backchannel.Settings engine = Backchannel.Settings.defaults();
    Config c = Config.from(Config.defaults());
    assertThat(c.interactiveTimeout()).isEqualTo(engine.interactiveTimeout());
    assertThat(c.backgroundTimeout()).isEqualTo(engine.backgroundTimeout());
    assertThat(c.lease()).isEqualTo(engine.worker().lease());
    assertThat(c.retrySchedule()).isEqualTo(engine.retry().schedule());
    assertThat(c.disableAfter()).isEqualTo(engine.retry().disableAfter());
    assertThat(c.workerConcurrency()).isEqualTo(engine.worker().concurrency()).isEqualTo(256);
    assertThat(Config.defaults()).containsEntry("retry_schedule", "0s,5s,5m,30m,2h,5h,10h,10h");
    assertThat(c.retention()).isEqualTo(engine.retention().retention()).hasDays(30);
    assertThat(c.purgeInterval()).isEqualTo(engine.retention().interval());
    assertThat(c.purgeBatch()).isEqualTo(engine.retention().batch()).isEqualTo(500);
  }

  @Test
  void retentionIsCheckedWithItsBoundsInWords() {
    Map<String, String> v = Config.defaults();
    v.put("retention", "30s");
    v.put("purge_batch", "0");
    assertThatThrownBy(() -> Config.from(v))
        .hasMessageContaining("retention: must be between 1m and 3650d, not 30s")
        .hasMessageContaining("purge_batch: must be 1 to 10000, not 0");
    v.put("retention", "forever");
    v.put("purge_batch", "100");
    assertThatThrownBy(() -> Config.from(v))
        .hasMessageContaining("retention: 'forever' is not a duration such as 250ms, 10s");
    v.put("retention", "7d");
    assertThat(Config.from(v).retention()).hasDays(7);
  }

  @Test
  void theFormerNameOfWorkerConcurrencyIsStillRead(@TempDir Path dir) throws Exception {
    assertThat(Config.from(Config.layered(null, Map.of("BACKCHANNEL_MAX_IN_FLIGHT", "12"))))
        .extracting(Config::workerConcurrency)
        .isEqualTo(12);
    Path file = dir.resolve("backchannel.properties");
    Files.writeString(file, "max_in_flight=7\nworker_concurrency=9\n");
    assertThat(Config.from(Config.layered(file, Map.of())).workerConcurrency()).isEqualTo(9);
    Files.writeString(file, "max_in_flight=7\n");
    assertThat(Config.from(Config.layered(file, Map.of())).workerConcurrency()).isEqualTo(7);
  }

  @Test
  void theMetricsTokenAndTheSmtpServerAreCheckedAndThePasswordIsNeverShown() {
    Map<String, String> v = Config.defaults();
    Config plain = Config.from(v);
    assertThat(plain.metricsToken()).isNull();
    assertThat(plain.smtp()).as("no smtp_host: no email").isNull();

    v.put("metrics_token", "short");
    v.put("smtp_host", "mail.example.com");
    v.put("smtp_username", "bc");
    v.put("smtp_from", "not an address");
    v.put("smtp_starttls", "maybe");
    assertThatThrownBy(() -> Config.from(v))
        .hasMessageContaining("metrics_token: must be at least 16 characters")
        .hasMessageContaining("smtp_password: smtp_username and smtp_password go together")
        .hasMessageContaining("smtp_from: must be an email address")
        .hasMessageContaining("smtp_starttls: must be true or false");

    v.put("metrics_token", "0123456789abcdef");
    v.put("smtp_password", "hunter2-secret");
    v.put("smtp_from", "Backchannel <bc@example.com>");
    v.put("smtp_starttls", "true");
    Config c = Config.from(v);
    assertThat(c.metricsToken()).isEqualTo("0123456789abcdef");
    assertThat(c.smtp())
        .isEqualTo(
            new Config.Smtp(
                "mail.example.com",
                587,
                "bc",
                "hunter2-secret",
                "Backchannel <bc@example.com>",
                true));
    assertThat(c.toString() + c.smtp())
        .contains("mail.example.com")
        .doesNotContain("hunter2-secret")
        .doesNotContain("0123456789abcdef");
  }
}
