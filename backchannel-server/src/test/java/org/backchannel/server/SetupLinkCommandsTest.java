package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code init} and {@code admin set-password-link} print links the server honours once. */
final class SetupLinkCommandsTest {
  private static final Pattern LINK =
      Pattern.compile("http://127\\.0\\.0\\.1:8080(/setup/[0-9a-f]{64})");

  @TempDir Path data;

  String run(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.commandLine().execute(args)).isZero();
    } finally {
      System.setOut(out);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  static String link(String printed) {
    Matcher m = LINK.matcher(printed);
    assertThat(m.find()).as(printed).isTrue();
    return m.group(1);
  }

  @Test
  void initPrintsAOneTimeLinkAndAdminPrintsAnotherOnRequest() {
    String first =
        link(
            run(
                "init",
                "--data-dir",
                data.toString(),
                "--workspace",
                "Acme",
                "--name",
                "Ada Admin",
                "--email",
                "ada@example.com"));
    String second =
        link(
            run(
                "admin",
                "set-password-link",
                "--data-dir",
                data.toString(),
                "--email",
                "ADA@example.com"));
    assertThat(second).isNotEqualTo(first);

    Map<String, String> settings = Config.defaults();
    settings.put("data_dir", data.toString());
    settings.put("port", "0");
    try (BackchannelServer server =
        BackchannelServer.start(Config.from(settings), Clock.systemUTC())) {
      Http http = new Http(server.url());
      Http.Answer page = http.get(first, null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.text()).contains("For Ada Admin (ada@example.com)");
      assertThat(http.get(second, null).status()).isEqualTo(200);
      assertThat(http.get("/setup/" + "0".repeat(64), null).status()).isEqualTo(404);
    }
  }

  @Test
  void linksFollowTheConfiguredPortAndPublicUrl() throws Exception {
    Path settings = data.resolve("port.properties");
    Files.writeString(settings, "port = 9123\n");
    assertThat(
            run(
                "init",
                "--config",
                settings.toString(),
                "--data-dir",
                data.toString(),
                "--workspace",
                "Acme",
                "--name",
                "Ada Admin",
                "--email",
                "ada@example.com"))
        .containsPattern("http://127\\.0\\.0\\.1:9123/setup/[0-9a-f]{64}");

    Files.writeString(settings, "port = 9123\npublic_url = https://bc.example.com/\n");
    assertThat(
            run(
                "admin",
                "set-password-link",
                "--config",
                settings.toString(),
                "--data-dir",
                data.toString(),
                "--email",
                "ada@example.com"))
        .containsPattern("^https://bc\\.example\\.com/setup/[0-9a-f]{64}\\s*$");
  }

  @Test
  void aPublicUrlThatIsNotAnAbsoluteHttpUrlStopsTheStartNamingTheSetting() {
    Map<String, String> settings = Config.defaults();
    settings.put("public_url", "bc.example.com");
    assertThatThrownBy(() -> Config.from(settings))
        .hasMessageContaining("public_url: must be an absolute http or https URL");
  }
}
