package org.backchannel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.backchannel.sdk.VerificationException.Check;
import org.junit.jupiter.api.Test;

class EventsTest {
  private static final AppSecret SECRET = AppSecret.of("events-test-secret-0123456789abcdef");
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

  private static Event parse(String json) {
    return Events.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEachEventIntoItsRecord() {
    assertThat(parse("{\"name\":\"app.install\",\"userId\":\"u:1\",\"token\":\"t-1\"}"))
        .isInstanceOfSatisfying(
            Event.AppInstall.class, e -> assertThat(e.token()).isEqualTo("t-1"));
    assertThat(parse("{\"name\":\"app.uninstall\",\"userId\":\"u:1\"}"))
        .isInstanceOf(Event.AppUninstall.class);
    assertThat(
            parse(
                "{\"name\":\"chat.receiveMessage\",\"userId\":\"u:1\",\"message\":"
                    + "{\"uid\":\"m1\",\"from\":\"u:1\",\"to\":\"b:2\",\"text\":\"hi\"}}"))
        .isEqualTo(
            new Event.ChatReceiveMessage(
                "u:1",
                new Event.Message("m1", "u:1", "b:2", "hi"),
                "{\"name\":\"chat.receiveMessage\",\"userId\":\"u:1\",\"message\":"
                    + "{\"uid\":\"m1\",\"from\":\"u:1\",\"to\":\"b:2\",\"text\":\"hi\"}}"));
    assertThat(
            parse(
                "{\"name\":\"client.slashCommand\",\"userId\":\"u:1\",\"userName\":\"A\","
                    + "\"chat\":\"g:1\",\"chatName\":\"Team\",\"command\":\"todo\",\"text\":\"milk\"}"))
        .isInstanceOfSatisfying(
            Event.ClientSlashCommand.class,
            e -> {
              assertThat(e.command()).isEqualTo("todo");
              assertThat(e.text()).isEqualTo("milk");
              assertThat(e.chatName()).isEqualTo("Team");
            });
    assertThat(
            parse(
                "{\"name\":\"client.pressButton\",\"userId\":\"u:1\",\"button\":\"messageAction\","
                    + "\"buttonId\":\"b7\",\"messageUid\":\"m9\"}"))
        .isInstanceOfSatisfying(
            Event.ClientPressButton.class,
            e -> {
              assertThat(e.button()).isEqualTo("messageAction");
              assertThat(e.buttonId()).isEqualTo("b7");
              assertThat(e.messageUid()).isEqualTo("m9");
            });
    assertThat(parse("{\"name\":\"client.widgetAction\",\"userId\":\"u:1\",\"chat\":\"g:1\"}"))
        .isInstanceOfSatisfying(
            Event.ClientWidgetAction.class, e -> assertThat(e.chat()).isEqualTo("g:1"));
    assertThat(parse("{\"name\":\"client.flockmlAction\",\"userId\":\"u:1\",\"actionId\":\"a3\"}"))
        .isInstanceOfSatisfying(
            Event.ClientFlockmlAction.class, e -> assertThat(e.actionId()).isEqualTo("a3"));
    assertThat(
            parse(
                "{\"name\":\"chat.generateUrlPreview\",\"userId\":\"u:1\","
                    + "\"url\":\"https://x.example/1\"}"))
        .isInstanceOfSatisfying(
            Event.ChatGenerateUrlPreview.class,
            e -> assertThat(e.url()).isEqualTo("https://x.example/1"));
  }

  @Test
  void keepsUnknownEventsWithTheirJson() {
    Event event = parse("{\"name\":\"chat.somethingNew\",\"userId\":\"u:1\",\"extra\":{\"n\":7}}");
    assertThat(event)
        .isInstanceOfSatisfying(
            Event.UnknownEvent.class, e -> assertThat(e.name()).isEqualTo("chat.somethingNew"));
    assertThat(event.tree().get("extra").get("n").asInt()).isEqualTo(7);
  }

  @Test
  void treeIsACopy() {
    Event event = parse("{\"name\":\"app.uninstall\",\"userId\":\"u:1\"}");
    event.tree().put("userId", "u:2");
    assertThat(event.tree().get("userId").asText()).isEqualTo("u:1");
  }

  @Test
  void theInstallCredentialIsNotPrinted() {
    assertThat(parse("{\"name\":\"app.install\",\"userId\":\"u:1\",\"token\":\"t-secret\"}"))
        .asString()
        .doesNotContain("t-secret");
  }

  @Test
  void refusesWhatIsNotAnEvent() {
    for (String bad :
        List.of(
            "[]", "{}", "{\"name\":7}", "{\"name\":\"a\"} {}", "{\"name\":\"a\",\"name\":\"b\"}")) {
      assertThatThrownBy(() -> parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              VerificationException.class, e -> assertThat(e.check()).isEqualTo(Check.MALFORMED));
    }
  }

  @Test
  void checksTheTokenBeforeReadingTheBody() {
    String token = EventToken.sign(AppSecret.generate(), "app", "u:1", NOW, "j");
    assertThatThrownBy(
            () -> Events.verify(SECRET, token, "not json".getBytes(StandardCharsets.UTF_8), NOW))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.check()).isEqualTo(Check.SIGNATURE));
  }

  @Test
  void verifiesTheUserOfTheBody() {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");
    byte[] mine =
        "{\"name\":\"app.uninstall\",\"userId\":\"u:1\"}".getBytes(StandardCharsets.UTF_8);
    byte[] theirs =
        "{\"name\":\"app.uninstall\",\"userId\":\"u:2\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(Events.verify(SECRET, token, mine, NOW).userId()).isEqualTo("u:1");
    assertThatThrownBy(() -> Events.verify(SECRET, token, theirs, NOW))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.check()).isEqualTo(Check.USER_MISMATCH));
  }

  @Test
  void readsDecodedWidgetParameters() {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");
    String event = "{\"name\":\"client.pressButton\",\"userId\":\"u:1\",\"button\":\"x\"}";
    Events.WidgetEvent opened =
        Events.verifyParameters(
            List.of(SECRET),
            name ->
                switch (name) {
                  case "flockEvent" -> event;
                  case "flockEventToken" -> token;
                  case "flockClient" -> "ios";
                  default -> null;
                },
            NOW);
    assertThat(opened.event()).isInstanceOf(Event.ClientPressButton.class);
    assertThat(opened.client()).isEqualTo("ios");
    assertThat(opened.widgetType()).isNull();
  }

  @Test
  void refusesARepeatedWidgetParameter() {
    String token = EventToken.sign(SECRET, "app", "u:1", NOW, "j");
    String query =
        "flockEventToken="
            + token
            + "&flockEvent=%7B%22name%22%3A%22client.pressButton%22%2C%22userId%22%3A%22u%3A1%22%7D"
            + "&flockEvent=%7B%7D";
    assertThatThrownBy(() -> Events.verifyQuery(List.of(SECRET), query, NOW))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.check()).isEqualTo(Check.MALFORMED));
  }
}
