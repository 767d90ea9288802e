package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.backchannel.core.Json;
import org.backchannel.sdk.Answers;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Event;
import org.backchannel.sdk.EventToken;
import org.backchannel.sdk.Events;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.sdk.VerificationException;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * App events (the Flock model) end to end, over HTTP, against a real server, store and receiver:
 * every event's exact body, its event token and signatures checked with the SDK, and what each
 * answer does. Background events are sent by the delivery worker's {@code drain()}. Runs once per
 * store.
 */
abstract class PlatformEventsContract extends ServerFixture {
  static final String REGISTRATION =
      """
      {"event_listener_url": "%s",
       "url_patterns": ["https://issues.example.com/*"],
       "controls": [
         {"type": "slashCommand", "name": "todo"},
         {"type": "slashCommand", "name": "board",
          "action": {"type": "openWidget", "url": "https://app.example.com/board",
                     "desktopType": "sidebar", "mobileType": "modal"}},
         {"type": "chatTabButton", "name": "Todos"},
         {"type": "attachmentPickerButton", "name": "Attach",
          "action": {"type": "openWidget", "url": "https://app.example.com/pick?v=2",
                     "desktopType": "modal"}},
         {"type": "appLauncherButton", "name": "Open",
          "action": {"type": "openBrowser", "url": "https://app.example.com/home",
                     "sendContext": true}},
         {"type": "widget", "name": "board"}
       ]}
      """;

  String member;
  List<AppSecret> secrets;

  @BeforeEach
  void registerApp() {
    member = "u:" + memberId;
    secrets = List.of(AppSecret.of(appSecret));
    ok(
        put(
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            REGISTRATION.formatted(app.url("/events"))));
  }

  /** Sends every queued background delivery now; how many attempts were made. */
  int drain() {
    return server.backchannel().worker().drain();
  }

  /** Installs the app for the member (the listener answers 200) and returns the install token. */
  String install() {
    JsonNode result = ok(http.post(platform("/install"), memberToken, ""));
    assertThat(result.get("outcome").asText()).isEqualTo("installed");
    RecordingReceiver.Recorded call = app.take(Duration.ofSeconds(5));
    return Json.read(call.bodyText()).get("token").asText();
  }

  String platform(String path) {
    return "/api/v1/platform/apps/" + appId + path;
  }

  /**
   * Verifies a call to the listener as an app would (event token, userId, Standard Webhooks),
   * checks the token's claims, and returns the exact body as JSON.
   */
  JsonNode verified(RecordingReceiver.Recorded call) {
    assertThat(call.method()).isEqualTo("POST");
    assertThat(call.path()).isEqualTo("/events");
    assertThat(call.header("Content-Type")).startsWith("application/json");
    String token = call.header(EventToken.HEADER);
    Event event = Events.verify(secrets, token, call.body(), clock.instant());
    EventToken.Claims claims =
        EventToken.verify(secrets, token, clock.instant(), Events.DEFAULT_SKEW);
    assertThat(claims.appId()).isEqualTo("gh");
    assertThat(claims.userId()).isEqualTo(event.userId()).isEqualTo(member);
    assertThat(claims.issuedAt()).isEqualTo(clock.instant());
    assertThat(claims.jti()).isEqualTo(call.header(StandardWebhooks.ID));
    StandardWebhooks.verify(
        call::header, call.body(), secrets, clock.instant(), StandardWebhooks.DEFAULT_TOLERANCE);
    return Json.read(call.bodyText());
  }

  /** A PUT with a JSON body, as any client would send it. */
  Http.Answer put(String path, String token, String json) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.url().resolve(path))
                      .header("Authorization", "Bearer " + token)
                      .header("Content-Type", "application/json")
                      .PUT(HttpRequest.BodyPublishers.ofString(json))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return new Http.Answer(r.statusCode(), Json.read(r.body()), r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next call to the listener, verified, as JSON. */
  JsonNode nextEvent() {
    return verified(app.take(Duration.ofSeconds(5)));
  }

  static JsonNode json(String text) {
    return Json.read(text);
  }

  Http.Answer sendMessage(String body) {
    return http.post("/v1/chat.sendMessage", null, body);
  }

  // ---- install and uninstall

  @Test
  void installSendsAppInstallWithATokenThatLetsTheAppActAsThePerson() {
    JsonNode result = ok(http.post(platform("/install"), memberToken, ""));

    assertThat(result.get("outcome").asText()).isEqualTo("installed");
    assertThat(result.get("install").get("user_id").asLong()).isEqualTo(memberId);
    JsonNode body = nextEvent();
    String token = body.get("token").asText();
    assertThat(body)
        .isEqualTo(
            json(
                "{\"name\":\"app.install\",\"userId\":\"%s\",\"token\":\"%s\"}"
                    .formatted(member, token)));

    JsonNode sent =
        ok(
            sendMessage(
                "{\"token\":\"%s\",\"to\":\"g:%d\",\"text\":\"Deployed\"}"
                    .formatted(token, flowId)));
    JsonNode messages = ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", memberToken));
    JsonNode message = messages.get("items").get(0);
    assertThat(message.get("uid").asText()).isEqualTo(sent.get("uid").asText());
    assertThat(message.get("from").asText()).isEqualTo(member);
    assertThat(message.get("app_id").asLong()).isEqualTo(appId);
    assertThat(message.get("text").asText()).isEqualTo("Deployed");

    // The token travelled once, to the app; the delivery log keeps it redacted.
    JsonNode delivery =
        ok(http.get("/api/v1/deliveries/" + result.get("delivery_id").asLong(), adminToken));
    // The person it was made for may read it too; someone else may not.
    assertThat(
            http.get("/api/v1/deliveries/" + result.get("delivery_id").asLong(), memberToken)
                .status())
        .isEqualTo(200);
    assertThat(
            http.get("/api/v1/deliveries/" + result.get("delivery_id").asLong(), outsiderToken)
                .status())
        .isEqualTo(404);
    String recorded = delivery.get("attempts").get(0).get("request").get("body").asText();
    assertThat(recorded).contains("[redacted]").doesNotContain(token);
    assertThat(delivery.toString()).doesNotContain(token);
  }

  @Test
  void anInstallTheAppDoesNotAnswerWithExactly200FailsAndInstallsNothing() {
    app.answer(Answer.json(201, "{}"));
    JsonNode created = ok(http.post(platform("/install"), memberToken, ""));
    app.answer(Answer.json(500, "{\"error\":\"no database\"}"));
    JsonNode failed = ok(http.post(platform("/install"), memberToken, ""));

    assertThat(created.get("outcome").asText()).isEqualTo("failed");
    assertThat(created.get("status").asInt()).isEqualTo(201);
    assertThat(failed.get("outcome").asText()).isEqualTo("failed");
    assertThat(failed.get("reason").asText()).contains("500").contains("no database");
    String token = json(app.take(Duration.ofSeconds(5)).bodyText()).get("token").asText();
    Http.Answer refused =
        sendMessage("{\"token\":\"%s\",\"to\":\"g:%d\",\"text\":\"x\"}".formatted(token, flowId));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().get("error").asText()).isEqualTo("InvalidToken");
    // Nothing is installed: using the app is refused, and installing again works.
    assertThat(http.post(platform("/bot/messages"), memberToken, "{\"text\":\"hi\"}").status())
        .isEqualTo(403);
    assertThat(
            http.post(
                    platform("/slash-commands"),
                    memberToken,
                    "{\"command\":\"todo\",\"chat\":\"g:" + flowId + "\"}")
                .status())
        .isEqualTo(403);
    app.answer(Answer.json(200, "{}"));
    assertThat(install()).startsWith("bci_");
  }

  @Test
  void uninstallQueuesAppUninstallAndRevokesTheToken() {
    String token = install();

    JsonNode removed = ok(http.send("DELETE", platform("/install"), memberToken));

    assertThat(removed.get("revoked_at").asText()).isEqualTo(NOW.toString());
    Http.Answer refused =
        sendMessage("{\"token\":\"%s\",\"to\":\"g:%d\",\"text\":\"x\"}".formatted(token, flowId));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().get("error").asText()).isEqualTo("InvalidToken");
    assertThat(refused.json().get("description").asText()).isNotBlank();
    assertThat(app.requests()).hasSize(1); // queued, not yet sent

    assertThat(drain()).isEqualTo(1);
    JsonNode body = nextEvent();
    assertThat(body)
        .isEqualTo(json("{\"name\":\"app.uninstall\",\"userId\":\"%s\"}".formatted(member)));
  }

  @Test
  void anAppCannotActForSomeoneDeactivatedUntilTheyAreBack() {
    String token = install();
    String send = "{\"token\":\"%s\",\"to\":\"g:%d\",\"text\":\"x\"}".formatted(token, flowId);
    ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));

    Http.Answer refused = sendMessage(send);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.text()).isEqualTo(sendMessage(send.replace(token, "bci_unknown")).text());
    assertThat(
            ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", adminToken)).get("items"))
        .isEmpty();

    ok(http.post("/api/v1/users/" + memberId + "/reactivate", adminToken, ""));
    ok(sendMessage(send));
  }

  // ---- bots, commands, buttons, widgets, FlockML

  @Test
  void aMessageToTheBotIsQueuedAsChatReceiveMessage() {
    install();

    JsonNode message = ok(http.post(platform("/bot/messages"), memberToken, "{\"text\":\"hi\"}"));
    drain();

    JsonNode body = nextEvent();
    assertThat(body)
        .isEqualTo(
            json(
                """
                {"name":"chat.receiveMessage","userId":"%s","message":{"uid":"%s","from":"%s",
                 "to":"b:%d","text":"hi","timestamp":"%s"}}
                """
                    .formatted(member, message.get("uid").asText(), member, appId, NOW)));
  }

  @Test
  void aSlashCommandWaitsForTheAnswerAndShowsItsTextToThatPersonOnly() {
    install();
    app.answer(r -> toAnswer(Answers.slashCommand("Added: buy milk")));

    JsonNode result =
        ok(
            http.post(
                platform("/slash-commands"),
                memberToken,
                "{\"command\":\"todo\",\"text\":\"buy milk\",\"chat\":\"g:%d\"}"
                    .formatted(flowId)));

    assertThat(result.get("outcome").asText()).isEqualTo("done");
    assertThat(result.get("text").asText()).isEqualTo("Added: buy milk");
    assertThat(nextEvent())
        .isEqualTo(
            json(
                """
                {"name":"client.slashCommand","userId":"%s","userName":"Mia Member",
                 "chat":"g:%d","chatName":"dev","command":"todo","text":"buy milk"}
                """
                    .formatted(member, flowId)));
    // Shown to the person only: nothing was posted in the flow.
    assertThat(
            ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", memberToken))
                .get("items"))
        .isEmpty();
  }

  @Test
  void aSlashCommandAnswerOver100CharactersOrNotJsonShowsNothing() {
    install();
    String command = "{\"command\":\"todo\",\"text\":\"x\",\"chat\":\"u:%d\"}".formatted(memberId);
    app.answer(Answer.json(200, "{\"text\":\"" + "y".repeat(101) + "\"}"));
    JsonNode tooLong = ok(http.post(platform("/slash-commands"), memberToken, command));
    app.answer(Answer.status(200));
    JsonNode empty = ok(http.post(platform("/slash-commands"), memberToken, command));
    app.answer(Answer.json(503, "{}"));
    JsonNode failed = ok(http.post(platform("/slash-commands"), memberToken, command));

    assertThat(tooLong.get("outcome").asText()).isEqualTo("done");
    assertThat(tooLong.get("text").isNull()).isTrue();
    assertThat(empty.get("text").isNull()).isTrue();
    assertThat(failed.get("outcome").asText()).isEqualTo("failed");
    assertThat(failed.get("status").asInt()).isEqualTo(503);
  }

  @Test
  void aSlashCommandThatOpensAWidgetGivesItsUrlWithTheSignedEventAndSendsNothing() {
    install();

    JsonNode desktop =
        ok(
            http.post(
                platform("/slash-commands"),
                memberToken,
                "{\"command\":\"board\",\"text\":\"q3\",\"chat\":\"g:%d\"}".formatted(flowId)));
    JsonNode ios =
        ok(
            http.post(
                platform("/slash-commands"),
                memberToken,
                "{\"command\":\"board\",\"chat\":\"g:%d\",\"client\":\"ios\"}".formatted(flowId)));

    assertThat(desktop.get("outcome").asText()).isEqualTo("open");
    URI url = URI.create(desktop.get("url").asText());
    assertThat(url.getHost() + url.getPath()).isEqualTo("app.example.com/board");
    Events.WidgetEvent opened = Events.verifyQuery(secrets, url.getRawQuery(), NOW);
    assertThat(opened.client()).isEqualTo("desktop");
    assertThat(opened.widgetType()).isEqualTo("sidebar");
    assertThat(json(opened.event().json()))
        .isEqualTo(
            json(
                """
                {"name":"client.slashCommand","userId":"%s","userName":"Mia Member",
                 "chat":"g:%d","chatName":"dev","command":"board","text":"q3"}
                """
                    .formatted(member, flowId)));
    Events.WidgetEvent onPhone =
        Events.verifyQuery(secrets, URI.create(ios.get("url").asText()).getRawQuery(), NOW);
    assertThat(onPhone.client()).isEqualTo("ios");
    assertThat(onPhone.widgetType()).isEqualTo("modal");
    assertThat(app.requests()).hasSize(1); // only the install
    assertThat(drain()).isZero();
  }

  @Test
  void aChatTabButtonIsQueuedAsClientPressButton() {
    install();

    JsonNode result =
        ok(
            http.post(
                platform("/buttons/chatTabButton"),
                memberToken,
                "{\"chat\":\"u:%d\"}".formatted(memberId)));
    assertThat(result.get("outcome").asText()).isEqualTo("queued");
    drain();

    assertThat(nextEvent())
        .isEqualTo(
            json(
                """
                {"name":"client.pressButton","userId":"%s","userName":"Mia Member",
                 "chat":"u:%d","chatName":"Mia Member","button":"chatTabButton"}
                """
                    .formatted(member, memberId)));
  }

  @Test
  void buttonsThatOpenAWidgetOrTheBrowserPutTheEventInTheUrl() {
    install();

    JsonNode picker =
        ok(
            http.post(
                platform("/buttons/attachmentPickerButton"),
                memberToken,
                "{\"chat\":\"g:%d\",\"client\":\"android\"}".formatted(flowId)));
    JsonNode launcher =
        ok(
            http.post(
                platform("/buttons/appLauncherButton"),
                memberToken,
                "{\"chat\":\"g:%d\"}".formatted(flowId)));

    URI pickerUrl = URI.create(picker.get("url").asText());
    assertThat(pickerUrl.getRawQuery()).startsWith("v=2&flockEvent=");
    Events.WidgetEvent opened = Events.verifyQuery(secrets, pickerUrl.getRawQuery(), NOW);
    assertThat(opened.event()).isInstanceOf(Event.ClientPressButton.class);
    assertThat(((Event.ClientPressButton) opened.event()).button())
        .isEqualTo("attachmentPickerButton");
    assertThat(opened.client()).isEqualTo("android");
    assertThat(opened.widgetType()).isEqualTo("modal");
    URI launcherUrl = URI.create(launcher.get("url").asText());
    Events.WidgetEvent browser = Events.verifyQuery(secrets, launcherUrl.getRawQuery(), NOW);
    assertThat(browser.widgetType()).isNull();
    assertThat(launcherUrl.getRawQuery()).doesNotContain("flockWidgetType");
    assertThat(launcher.get("widget_type").isNull()).isTrue();
    // A URL made for one app does not verify with another secret.
    assertThatThrownBy(
            () ->
                Events.verifyQuery(
                    List.of(AppSecret.of("x".repeat(32))), launcherUrl.getRawQuery(), NOW))
        .isInstanceOf(VerificationException.class);
    assertThat(drain()).isZero();
  }

  @Test
  void aWidgetActionIsQueuedAsClientWidgetAction() {
    install();

    ok(
        http.post(
            platform("/widgets/board/actions"),
            memberToken,
            "{\"chat\":\"g:%d\"}".formatted(flowId)));
    drain();

    assertThat(nextEvent())
        .isEqualTo(
            json(
                """
                {"name":"client.widgetAction","userId":"%s","userName":"Mia Member",
                 "chat":"g:%d","chatName":"dev","widget":"board"}
                """
                    .formatted(member, flowId)));
  }

  @Test
  void attachmentButtonsAndFlockmlActionsOfAnAppsMessageReachItsListener() {
    String token = install();
    JsonNode sent =
        ok(
            sendMessage(
                """
                {"token":"%s","to":"g:%d","attachments":[{
                  "title":"Build 42","description":"green",
                  "views":{"widget":{"src":"https://app.example.com/w/42","width":400,"height":300},
                           "flockml":"<flockml>Build <b>passed</b><script>alert(1)</script> <action id=\\"rerun\\" type=\\"sendEvent\\">Re-run</action> <a href=\\"javascript:alert(1)\\">x</a></flockml>"},
                  "buttons":[{"name":"Deploy","id":"deploy"},
                             {"name":"Logs","id":"logs","action":{"type":"openBrowser","url":"https://ci.example.com/42"}}]}]}
                """
                    .formatted(token, flowId)));
    long id = Long.parseLong(sent.get("uid").asText().substring(2));
    JsonNode message = ok(http.get("/api/v1/platform/messages/" + id, memberToken));
    JsonNode attachment = message.get("attachments").get(0);
    String html = attachment.get("views").get("flockml").asText();
    assertThat(html).contains("<b>passed</b>").contains("<action").contains("Re-run");
    assertThat(html).doesNotContain("script").doesNotContain("javascript");
    assertThat(attachment.get("views").get("widget").get("width").asInt()).isEqualTo(400);

    JsonNode pressed =
        ok(http.post("/api/v1/platform/messages/" + id + "/buttons/deploy", memberToken, ""));
    JsonNode logs =
        ok(http.post("/api/v1/platform/messages/" + id + "/buttons/logs", memberToken, ""));
    JsonNode action =
        ok(
            http.post(
                "/api/v1/platform/messages/" + id + "/flockml-actions/rerun", memberToken, ""));
    assertThat(pressed.get("outcome").asText()).isEqualTo("queued");
    assertThat(logs.get("url").asText()).isEqualTo("https://ci.example.com/42");
    assertThat(action.get("outcome").asText()).isEqualTo("queued");
    assertThat(drain()).isEqualTo(2);

    List<JsonNode> bodies = List.of(nextEvent(), nextEvent());
    assertThat(bodies)
        .containsExactlyInAnyOrder(
            json(
                """
                {"name":"client.pressButton","userId":"%s","userName":"Mia Member",
                 "chat":"g:%d","chatName":"dev","button":"attachmentButton","buttonId":"deploy",
                 "messageUid":"m:%d"}
                """
                    .formatted(member, flowId, id)),
            json(
                """
                {"name":"client.flockmlAction","userId":"%s","userName":"Mia Member",
                 "chat":"g:%d","chatName":"dev","actionId":"rerun","messageUid":"m:%d"}
                """
                    .formatted(member, flowId, id)));
    // Someone outside the flow cannot see the message, nor press its buttons.
    assertThat(
            http.post("/api/v1/platform/messages/" + id + "/buttons/deploy", outsiderToken, "")
                .status())
        .isEqualTo(404);
  }

  @Test
  void chatSendMessageErrorsAnswerErrorAndDescription() {
    String token = install();

    Http.Answer missing = sendMessage("{\"token\":\"%s\",\"text\":\"x\"}".formatted(token));
    Http.Answer badWidget =
        sendMessage(
            "{\"token\":\"%s\",\"to\":\"g:%d\",\"attachments\":[{\"views\":{\"widget\":{\"src\":\"ftp://x\",\"width\":0}}}]}"
                .formatted(token, flowId));
    Http.Answer noToken = sendMessage("{\"to\":\"g:%d\",\"text\":\"x\"}".formatted(flowId));
    Http.Answer notMember =
        sendMessage("{\"token\":\"%s\",\"to\":\"g:999\",\"text\":\"x\"}".formatted(token));
    Http.Answer unknown = http.post("/v1/chat.unknown", null, "{}");

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("error").asText()).isEqualTo("InvalidParameter");
    assertThat(missing.json().get("description").asText()).contains("to");
    assertThat(badWidget.status()).isEqualTo(400);
    assertThat(badWidget.json().get("description").asText())
        .contains("attachments[0].views.widget.src")
        .contains("attachments[0].views.widget.width")
        .contains("attachments[0].views.widget.height");
    assertThat(noToken.status()).isEqualTo(401);
    assertThat(noToken.json().get("error").asText()).isEqualTo("InvalidToken");
    assertThat(notMember.status()).isEqualTo(404);
    assertThat(notMember.json().has("description")).isTrue();
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).isEqualTo("NotFound");
  }

  // ---- URL previews

  @Test
  void aClaimedUrlInAMessageGetsThePreviewTheAppAnswers() {
    install();
    app.answer(
        r ->
            toAnswer(
                Answers.urlPreview(
                    new Answers.Attachment(
                        "Issue 42",
                        "Fix the bug",
                        new Answers.Widget("https://app.example.com/w/42", 400, 300),
                        "<flockml>Open <i>since</i> Monday<img src=x onerror=alert(1)></flockml>"))));

    JsonNode message =
        ok(
            http.post(
                "/api/v1/platform/flows/" + flowId + "/messages",
                memberToken,
                "{\"text\":\"see https://issues.example.com/42 and https://other.example.com/1\"}"));

    assertThat(nextEvent())
        .isEqualTo(
            json(
                """
                {"name":"chat.generateUrlPreview","userId":"%s",
                 "url":"https://issues.example.com/42","messageUid":"%s"}
                """
                    .formatted(member, message.get("uid").asText())));
    assertThat(app.requests()).hasSize(2); // the install and one preview
    JsonNode attachment = message.get("attachments").get(0);
    assertThat(attachment.get("title").asText()).isEqualTo("Issue 42");
    assertThat(attachment.get("description").asText()).isEqualTo("Fix the bug");
    assertThat(attachment.get("views").get("widget").get("src").asText())
        .isEqualTo("https://app.example.com/w/42");
    assertThat(attachment.get("views").get("flockml").asText())
        .isEqualTo("<flockml>Open <i>since</i> Monday</flockml>");
    JsonNode stored =
        ok(http.get("/api/v1/platform/messages/" + message.get("id").asLong(), memberToken));
    assertThat(stored.get("attachments")).isEqualTo(message.get("attachments"));
  }

  @Test
  void noPreviewWithoutAUsableAnswerOrForSomeoneWhoHasNotInstalledTheApp() {
    String text = "{\"text\":\"https://issues.example.com/1\"}";
    String flowMessages = "/api/v1/platform/flows/" + flowId + "/messages";
    JsonNode notInstalled = ok(http.post(flowMessages, memberToken, text));
    assertThat(app.requests()).isEmpty();
    install();
    app.answer(Answer.json(500, "{}"));
    JsonNode failing = ok(http.post(flowMessages, memberToken, text));
    app.answer(Answer.json(200, "{\"attachment\":{\"title\":42}}"));
    JsonNode invalid = ok(http.post(flowMessages, memberToken, text));
    app.answer(Answer.json(200, "{\"nothing\":true}"));
    JsonNode none = ok(http.post(flowMessages, memberToken, text));

    for (JsonNode m : List.of(notInstalled, failing, invalid, none)) {
      assertThat(m.get("attachments")).isEmpty();
      assertThat(m.get("text").asText()).isEqualTo("https://issues.example.com/1");
    }
    assertThat(app.requests()).hasSize(4);
  }

  @Test
  void aSlowListenerNeverHoldsThePersonBeyondTheBound() {
    install();
    app.answer(Answer.never());

    long start = System.nanoTime();
    JsonNode message =
        ok(
            http.post(
                "/api/v1/platform/flows/" + flowId + "/messages",
                memberToken,
                "{\"text\":\"https://issues.example.com/1\"}"));
    JsonNode command =
        ok(
            http.post(
                platform("/slash-commands"),
                memberToken,
                "{\"command\":\"todo\",\"chat\":\"g:%d\"}".formatted(flowId)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(message.get("attachments")).isEmpty();
    assertThat(command.get("outcome").asText()).isEqualTo("failed");
    assertThat(command.get("reason").asText()).contains("did not answer in time");
    assertThat(took)
        .isLessThan(Duration.ofSeconds(8)); // two calls, bound 1 s each; generous for CI
  }

  @Test
  void aSlowListenerFailsTheInstallWithinTheBound() {
    app.answer(Answer.never());

    long start = System.nanoTime();
    JsonNode result = ok(http.post(platform("/install"), memberToken, ""));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(result.get("outcome").asText()).isEqualTo("failed");
    assertThat(http.post(platform("/bot/messages"), memberToken, "{\"text\":\"x\"}").status())
        .isEqualTo(403);
  }

  // ---- secrets, workspaces, validation

  @Test
  void whilePendingCallsCarryBothSignaturesAndTokensTheOldAfterActivationTheNewOnly() {
    install();
    JsonNode rotated = ok(http.post("/api/v1/apps/" + appId + "/secret", adminToken, ""));
    AppSecret newer = AppSecret.of(rotated.get("secret").asText());
    AppSecret older = AppSecret.of(appSecret);
    assertThat(rotated.get("pending_since").asText()).isEqualTo(NOW.toString());

    ok(
        http.post(
            platform("/buttons/chatTabButton"), memberToken, "{\"chat\":\"g:" + flowId + "\"}"));
    drain();
    RecordingReceiver.Recorded during = app.take(Duration.ofSeconds(5));
    assertThat(during.header(StandardWebhooks.SIGNATURE).split(" ")).hasSize(2);
    for (AppSecret s : List.of(newer, older)) {
      StandardWebhooks.verify(
          during::header, during.body(), List.of(s), NOW, StandardWebhooks.DEFAULT_TOLERANCE);
    }
    Events.verify(List.of(older), during.header(EventToken.HEADER), during.body(), NOW);
    assertThatThrownBy(
            () ->
                Events.verify(List.of(newer), during.header(EventToken.HEADER), during.body(), NOW))
        .isInstanceOf(VerificationException.class);

    JsonNode activated =
        ok(
            http.post(
                "/api/v1/apps/" + appId + "/secret/activate",
                adminToken,
                "{\"grace_seconds\":3600}"));
    assertThat(activated.get("previous_secret_expires_at").asText())
        .isEqualTo(NOW.plusSeconds(3600).toString());
    ok(
        http.post(
            platform("/buttons/chatTabButton"), memberToken, "{\"chat\":\"g:" + flowId + "\"}"));
    drain();
    RecordingReceiver.Recorded graced = app.take(Duration.ofSeconds(5));
    assertThat(graced.header(StandardWebhooks.SIGNATURE).split(" ")).hasSize(2);
    Events.verify(List.of(newer), graced.header(EventToken.HEADER), graced.body(), NOW);
    assertThatThrownBy(
            () ->
                Events.verify(List.of(older), graced.header(EventToken.HEADER), graced.body(), NOW))
        .isInstanceOf(VerificationException.class);

    clock.advance(Duration.ofSeconds(3601));
    ok(
        http.post(
            platform("/buttons/chatTabButton"), memberToken, "{\"chat\":\"g:" + flowId + "\"}"));
    drain();
    RecordingReceiver.Recorded after = app.take(Duration.ofSeconds(5));
    assertThat(after.header(StandardWebhooks.SIGNATURE).split(" ")).hasSize(1);
    StandardWebhooks.verify(
        after::header,
        after.body(),
        List.of(newer),
        clock.instant(),
        StandardWebhooks.DEFAULT_TOLERANCE);
    assertThatThrownBy(
            () ->
                StandardWebhooks.verify(
                    after::header,
                    after.body(),
                    List.of(older),
                    clock.instant(),
                    StandardWebhooks.DEFAULT_TOLERANCE))
        .isInstanceOf(VerificationException.class);
  }

  @Test
  void anotherWorkspaceCannotSeeConfigureInstallOrUseTheApp() {
    String stranger =
        server
            .backchannel()
            .directory()
            .bootstrap("Other", "Sam Stranger", "sam@example.com")
            .secret();

    assertThat(http.post(platform("/install"), stranger, "").status()).isEqualTo(404);
    assertThat(
            http.post(
                    platform("/slash-commands"),
                    stranger,
                    "{\"command\":\"todo\",\"chat\":\"g:" + flowId + "\"}")
                .status())
        .isEqualTo(404);
    assertThat(http.post(platform("/buttons/chatTabButton"), stranger, "{}").status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/apps/" + appId + "/platform", stranger).status()).isEqualTo(404);
    assertThat(put("/api/v1/apps/" + appId + "/platform", stranger, "{}").status()).isEqualTo(404);
    assertThat(http.post("/api/v1/apps/" + appId + "/secret", stranger, "").status())
        .isEqualTo(404);
    assertThat(app.requests()).isEmpty();
    // A member of the same workspace cannot configure it either.
    assertThat(put("/api/v1/apps/" + appId + "/platform", memberToken, "{}").status())
        .isEqualTo(403);
  }

  @Test
  void aRegistrationIsCheckedWhole() {
    Http.Answer bad =
        put(
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            """
            {"url_patterns":["ftp://x"],
             "controls":[{"type":"slashCommand","name":"Bad Command"},
                         {"type":"rocket","name":"x"},
                         {"type":"widget","name":"w","action":{"type":"openWidget","url":"https://x.example"}}]}
            """);

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("errors").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "url_patterns[0]",
            "controls[0].name",
            "controls[1].type",
            "controls[2].action.desktopType",
            "event_listener_url");
    JsonNode kept = ok(http.get("/api/v1/apps/" + appId + "/platform", adminToken));
    assertThat(kept.get("controls")).hasSize(6);
  }

  private static Answer toAnswer(org.backchannel.sdk.Answer a) {
    Answer answer = new Answer(a.status(), java.util.Map.of(), a.body(), false);
    for (var h : a.headers().entrySet()) {
      answer = answer.withHeader(h.getKey(), h.getValue());
    }
    return answer;
  }
}
