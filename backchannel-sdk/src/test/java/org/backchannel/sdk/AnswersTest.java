package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnswersTest {
  private static final AppSecret CLAIMS = AppSecret.of("claim-secret-0123456789abcdef-000001");
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

  @Test
  void anAuthenticationChallengeCarriesAClaimForThePerson() {
    Answer answer =
        Answers.authenticationChallenge("https://app.example/auth/flowdock", CLAIMS, "u:42", NOW);

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.bodyText()).isEqualTo("{\"error\":\"Authentication required\"}");
    String header = answer.headers().get("www-authenticate");
    assertThat(header).startsWith("Flowdock-Token url=https://app.example/auth/flowdock?claim=");
    String claim = header.substring(header.indexOf("claim=") + "claim=".length());
    ClaimToken.Claim verified = ClaimToken.verify(CLAIMS, claim, "u:42", NOW.plusSeconds(60));
    assertThat(verified.expiresAt()).isEqualTo(NOW.plus(ClaimToken.LIFETIME));
  }

  @Test
  void theClaimJoinsAnExistingQueryAndStaysBeforeTheFragment() {
    assertThat(
            Answers.authenticationChallenge("https://a.example/auth?next=%2Fx#top", "c.l.aim")
                .headers()
                .get("www-authenticate"))
        .isEqualTo("Flowdock-Token url=https://a.example/auth?next=%2Fx&claim=c.l.aim#top");
  }

  @Test
  void refusesAUrlThatCannotBeWrittenInTheHeader() {
    for (String bad :
        List.of("/relative", "javascript:alert(1)", "https://a.example/x y", "https://a\r\nx: y")) {
      assertThatThrownBy(() -> Answers.authenticationChallenge(bad, "claim"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aUrlPreviewIsAnAttachment() {
    Answer answer =
        Answers.urlPreview(
            new Answers.Attachment(
                "Issue 42",
                "Fix the bug",
                new Answers.Widget("https://a.example/w/42", 400, 300),
                "<flockml>open</flockml>"));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers()).containsEntry("content-type", "application/json");
    assertThat(answer.bodyText())
        .isEqualTo(
            "{\"attachment\":{\"title\":\"Issue 42\",\"description\":\"Fix the bug\","
                + "\"views\":{\"widget\":{\"src\":\"https://a.example/w/42\",\"width\":400,"
                + "\"height\":300},\"flockml\":\"<flockml>open</flockml>\"}}}");
    assertThat(Answers.urlPreview(new Answers.Attachment("T", null, null, null)).bodyText())
        .isEqualTo("{\"attachment\":{\"title\":\"T\"}}");
  }

  @Test
  void aSlashCommandAnswerHasAtMostOneHundredCharacters() {
    String hundred = "é".repeat(100);
    assertThat(Answers.slashCommand(hundred).bodyText())
        .isEqualTo("{\"text\":\"" + hundred + "\"}");
    assertThat(Answers.slashCommand("😀".repeat(100)).status()).isEqualTo(200);
    assertThatThrownBy(() -> Answers.slashCommand("x".repeat(101)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTaskUpdateKeepsTheFieldOrder() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("Expected Close Date", "2020-02-01");
    fields.put("International?", false);
    fields.put("Contract Value", 10000);
    assertThat(Answers.taskUpdate(fields).bodyText())
        .isEqualTo(
            "{\"task\":{\"Expected Close Date\":\"2020-02-01\",\"International?\":false,"
                + "\"Contract Value\":10000}}");
  }

  @Test
  void anAnswerCannotBeChangedAfterwards() {
    byte[] body = {1, 2, 3};
    Map<String, String> headers = new LinkedHashMap<>(Map.of("a", "b"));
    Answer answer = new Answer(200, headers, body);
    body[0] = 9;
    headers.put("c", "d");
    answer.body()[1] = 9;
    assertThat(answer.body()).containsExactly(1, 2, 3);
    assertThat(answer.headers()).containsExactly(Map.entry("a", "b"));
    assertThat(answer).isEqualTo(new Answer(200, Map.of("a", "b"), new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> new Answer(42, Map.of(), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
