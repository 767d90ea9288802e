package org.backchannel.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What an answer means, contract by contract: the one place that decides it. */
final class InterpreterTest {
  private static final Map<String, String> JSON = Map.of("content-type", "application/json");

  private static Exchange.Answered answer(int status, Map<String, String> headers, String body) {
    return new Exchange.Answered(
        status, headers, body.getBytes(StandardCharsets.UTF_8), false, Duration.ofMillis(5));
  }

  private static Outcome read(Contract contract, String event, Exchange exchange) {
    return Interpreter.interpret(contract, event, exchange);
  }

  @ParameterizedTest
  @EnumSource(Contract.class)
  void noAnswerFailsWithoutAStatusAndSaysWhy(Contract contract) {
    Outcome o =
        read(
            contract,
            "e",
            new Exchange.Unanswered(Exchange.Failure.TIMEOUT, "timed out", Duration.ofSeconds(1)));
    assertThat(o).isEqualTo(new Outcome.Failed(null, "the app did not answer in time"));
    assertThat(o.summary()).isEqualTo("failed: the app did not answer in time");
    assertThat(
            read(
                contract,
                "e",
                new Exchange.Unanswered(Exchange.Failure.BLOCKED, "no", Duration.ZERO)))
        .isEqualTo(new Outcome.Failed(null, "the app's address is not allowed"));
  }

  @ParameterizedTest
  @EnumSource(
      value = Contract.class,
      names = {"FLOWDOCK", "FLOWDASH", "NATIVE"})
  void anyTwoHundredSucceedsWithItsJson(Contract contract) {
    Outcome o = read(contract, "e", answer(204, JSON, "{\"task\":{\"a\":1}}"));
    assertThat(o).isInstanceOf(Outcome.Succeeded.class);
    Outcome.Succeeded s = (Outcome.Succeeded) o;
    assertThat(s.status()).isEqualTo(204);
    assertThat(s.answer().path("task").path("a").asInt()).isEqualTo(1);
    assertThat(s.summary()).isEqualTo("done (HTTP 204)");
  }

  @ParameterizedTest
  @EnumSource(Contract.class)
  void aFailureKeepsTheAppsOwnErrorTextCapped(Contract contract) {
    assertThat(read(contract, "e", answer(500, JSON, "{\"error\":\"  disk full \"}")))
        .isEqualTo(new Outcome.Failed(500, "the app answered HTTP 500: disk full"));
    String longText = "x".repeat(300);
    Outcome.Failed f =
        (Outcome.Failed)
            read(contract, "e", answer(422, JSON, "{\"message\":\"" + longText + "\"}"));
    assertThat(f.reason()).isEqualTo("the app answered HTTP 422: " + "x".repeat(200));
    // Not JSON: the status alone.
    assertThat(read(contract, "e", answer(502, Map.of("content-type", "text/html"), "<h1>")))
        .isEqualTo(new Outcome.Failed(502, "the app answered HTTP 502"));
  }

  @Test
  void aBodyThatIsNotJsonOrIsCutShortIsNoAnswer() {
    Outcome notJson = read(Contract.NATIVE, "e", answer(200, JSON, "{broken"));
    assertThat(((Outcome.Succeeded) notJson).answer()).isNull();
    Exchange.Answered cut =
        new Exchange.Answered(200, JSON, "{\"a\":1}".getBytes(), true, Duration.ZERO);
    assertThat(((Outcome.Succeeded) read(Contract.NATIVE, "e", cut)).answer()).isNull();
    Outcome plain = read(Contract.NATIVE, "e", answer(200, Map.of(), "{\"a\":1}"));
    assertThat(((Outcome.Succeeded) plain).answer()).isNull();
  }

  @Test
  void flowdockChallengeAsksThePersonToAuthenticate() {
    Map<String, String> challenge =
        Map.of("www-authenticate", "Flowdock-Token url=\"https://app.test/login\"");
    assertThat(read(Contract.FLOWDOCK, "update_action", answer(401, challenge, "")))
        .isEqualTo(new Outcome.AuthenticationRequired("https://app.test/login"));
    // Without a usable challenge a 401 is a failure, and other contracts never read one.
    assertThat(read(Contract.FLOWDOCK, "update_action", answer(401, Map.of(), "")))
        .isEqualTo(new Outcome.Failed(401, "the app answered HTTP 401"));
    assertThat(read(Contract.FLOWDASH, "workflow.api_call", answer(401, challenge, "")))
        .isEqualTo(new Outcome.Failed(401, "the app answered HTTP 401"));
  }

  @Test
  void flowdashReadsJsonWhateverItsTypeAndQuotesAPlainTextFailure() {
    Map<String, String> text = Map.of("content-type", "text/plain");
    Outcome labelledText = read(Contract.FLOWDASH, "e", answer(200, text, "{\"task\":{\"a\":1}}"));
    assertThat(((Outcome.Succeeded) labelledText).answer().path("task").path("a").asInt())
        .isEqualTo(1);
    assertThat(read(Contract.FLOWDASH, "e", answer(200, text, "OK")))
        .isEqualTo(new Outcome.Succeeded(200, null, true));
    Exchange.Answered cut =
        new Exchange.Answered(200, JSON, "{\"a\":1}".getBytes(), true, Duration.ZERO);
    assertThat(read(Contract.FLOWDASH, "e", cut)).isEqualTo(new Outcome.Succeeded(200, null, true));
    assertThat(read(Contract.FLOWDASH, "e", answer(204, Map.of(), " \n")))
        .isEqualTo(new Outcome.Succeeded(204, null, false));
    assertThat(read(Contract.FLOWDASH, "e", answer(500, text, " disk\r\n\u0007full\u202e ")))
        .isEqualTo(new Outcome.Failed(500, "the app answered HTTP 500: disk full"));
    assertThat(read(Contract.FLOWDASH, "e", answer(500, Map.of(), "\uD83D\uDE00".repeat(250))))
        .isEqualTo(
            new Outcome.Failed(500, "the app answered HTTP 500: " + "\uD83D\uDE00".repeat(200)));
    // The other contracts still need a JSON type to read an answer.
    Outcome nativeText = read(Contract.NATIVE, "e", answer(200, text, "{\"a\":1}"));
    assertThat(nativeText).isEqualTo(new Outcome.Succeeded(200, null));
    assertThat(read(Contract.NATIVE, "e", answer(500, text, "disk full")))
        .isEqualTo(new Outcome.Failed(500, "the app answered HTTP 500"));
  }

  @Test
  void flockInstallNeedsExactlyTwoHundred() {
    assertThat(read(Contract.FLOCK, "app.install", answer(200, Map.of(), "")))
        .isEqualTo(new Outcome.Succeeded(200, null));
    assertThat(read(Contract.FLOCK, "app.install", answer(201, Map.of(), "")))
        .isEqualTo(
            new Outcome.Failed(201, "the app answered HTTP 201 (an install needs exactly 200)"));
    assertThat(read(Contract.FLOCK, "app.uninstall", answer(201, Map.of(), "")))
        .isEqualTo(new Outcome.Succeeded(201, null));
    assertThat(read(Contract.FLOCK, "app.uninstall", answer(404, Map.of(), "")))
        .isEqualTo(new Outcome.Failed(404, "the app answered HTTP 404"));
  }

  @Test
  void flockKeepsOnlyWhatTheEventUses() {
    Outcome slash =
        read(
            Contract.FLOCK,
            "client.slashCommand",
            answer(200, JSON, "{\"text\":\"hi\",\"other\":1}"));
    assertThat(((Outcome.Succeeded) slash).answer().toString()).isEqualTo("{\"text\":\"hi\"}");
    Outcome tooLong =
        read(
            Contract.FLOCK,
            "client.slashCommand",
            answer(200, JSON, "{\"text\":\"" + "y".repeat(101) + "\"}"));
    assertThat(((Outcome.Succeeded) tooLong).answer()).isNull();
    Outcome preview =
        read(
            Contract.FLOCK,
            "chat.generateUrlPreview",
            answer(200, JSON, "{\"attachment\":{\"title\":\"T\"},\"text\":\"x\"}"));
    assertThat(((Outcome.Succeeded) preview).answer().toString())
        .isEqualTo("{\"attachment\":{\"title\":\"T\"}}");
    Outcome other =
        read(Contract.FLOCK, "chat.receiveMessage", answer(200, JSON, "{\"text\":\"x\"}"));
    assertThat(((Outcome.Succeeded) other).answer()).isNull();
  }
}
