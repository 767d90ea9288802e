package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.Json;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Events;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A flow's chat in a real Chromium against the real server and store, with a real app endpoint:
 * messages live, slash commands, app buttons, widgets and URL previews.
 */
final class ChatBrowserTest extends BrowserFixture {
  static final String REGISTRATION =
      """
      {"event_listener_url": "%s",
       "url_patterns": ["https://issues.example.com/*"],
       "controls": [
         {"type": "slashCommand", "name": "weather"},
         {"type": "slashCommand", "name": "board",
          "action": {"type": "openWidget", "url": "%s", "desktopType": "sidebar"}},
         {"type": "chatTabButton", "name": "Todos",
          "action": {"type": "openWidget", "url": "%s", "desktopType": "modal"}}
       ]}
      """;

  @Override
  void configure(Map<String, String> settings) {
    super.configure(settings);
    // The preview test holds the app's answer until the page has shown the bare message.
    settings.put("interactive_timeout", "10s");
  }

  @BeforeEach
  void registerApp() {
    ok(
        http.send(
            "PUT",
            "/api/v1/apps/" + appId + "/platform",
            adminToken,
            REGISTRATION.formatted(app.url("/events"), app.url("/board"), app.url("/todos"))));
  }

  static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name);
  }

  /** Mia signs in, opens the dev flow's chat and installs the app; returns its install token. */
  Page chatWithAppInstalled(int width) {
    Page page = openChat(width);
    page.getByRole(AriaRole.BUTTON, named("Install GitHub")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("Installed.");
    assertThat(page.getByRole(AriaRole.BUTTON, named("Remove GitHub"))).isVisible();
    page.navigate("/ui/flows/" + flowId + "/chat"); // not the install's answer, so reload is safe
    return page;
  }

  Page openChat(int width) {
    Page page = newPage(width, 800);
    choosePassword(page, "mia@example.com");
    page.getByRole(AriaRole.LINK, named("Chat")).first().click();
    assertThat(page.getByRole(AriaRole.HEADING, named("dev"))).isVisible();
    return page;
  }

  String installToken() {
    RecordingReceiver.Recorded install = app.take(Duration.ofSeconds(5));
    JsonNode body = Json.read(install.bodyText());
    assertThat(body.get("name").asText()).isEqualTo("app.install");
    return body.get("token").asText();
  }

  Locator messages(Page page) {
    return page.locator("#chat-messages");
  }

  @Test
  void aMessageSentIsSeenAndAnotherPersonsArrivesLive() {
    Page page = openChat(1280);
    assertThat(page.getByText("No messages yet")).isVisible();

    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true))
        .fill("Hello <b>team</b>");
    page.keyboard().press("Enter");
    assertThat(messages(page).locator(".chat-message .text")).hasText("Hello <b>team</b>");
    assertThat(messages(page).locator(".author")).hasText("Mia Member");
    assertThat(page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true)))
        .hasValue("");

    ok(
        http.post(
            "/api/v1/platform/flows/" + flowId + "/messages",
            adminToken,
            "{\"text\":\"Standup in 5, see https://example.com/agenda\"}"));
    Locator live = messages(page).locator(".chat-message").nth(1);
    assertThat(live).containsText("Ada Admin");
    assertThat(live.locator("a")).hasAttribute("href", "https://example.com/agenda");
    // Screen readers hear the new message, not the whole list again.
    assertThat(page.locator("#chat-announce"))
        .hasText("Ada Admin: Standup in 5, see https://example.com/agenda");
    assertThat(messages(page).locator("b")).hasCount(0);
  }

  @Test
  void aSlashCommandShowsTheAppsAnswerToThatPersonOnlyAsAToast() {
    Page page = chatWithAppInstalled(1280);
    installToken();
    app.answer(Answer.json(200, "{\"text\":\"Sunny and 21 °C in Paris\"}"));

    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true)).fill("/weather paris");
    page.keyboard().press("Enter");

    assertThat(page.getByRole(AriaRole.STATUS)).containsText("Sunny and 21 °C in Paris");
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("GitHub");
    JsonNode event = Json.read(app.take(Duration.ofSeconds(5)).bodyText());
    assertThat(event.get("name").asText()).isEqualTo("client.slashCommand");
    assertThat(event.get("command").asText()).isEqualTo("weather");
    assertThat(event.get("text").asText()).isEqualTo("paris");
    assertThat(event.get("chat").asText()).isEqualTo("g:" + flowId);
    // Nothing was posted for the others to see.
    assertThat(page.getByText("No messages yet")).isVisible();
    assertThat(
            ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", adminToken)).get("items"))
        .isEmpty();

    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true)).fill("/nothing here");
    page.keyboard().press("Enter");
    assertThat(page.getByRole(AriaRole.STATUS))
        .containsText("/nothing is not a command of an app you installed");
  }

  @Test
  void pressingAnAppsButtonSendsItsEventAndTheAppsAnswerArrivesLive() {
    Page page = chatWithAppInstalled(1280);
    String token = installToken();
    ok(
        http.post(
            "/v1/chat.sendMessage",
            null,
            """
            {"token":"%s","to":"g:%d","text":"Build 42 is ready","attachments":[{
              "title":"Build 42","description":"all checks passed",
              "views":{"flockml":"<flockml>Passed in <b>4 min</b> <action id=\\"rerun\\" type=\\"sendEvent\\">Re-run</action></flockml>"},
              "buttons":[{"name":"Deploy","id":"deploy"}]}]}
            """
                .formatted(token, flowId)));
    assertThat(messages(page).locator(".attachment .title")).hasText("Build 42");
    assertThat(messages(page).locator(".via")).hasText("via GitHub");

    page.getByRole(AriaRole.BUTTON, named("Deploy")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("“Deploy”: sent to the app.");
    page.getByRole(AriaRole.BUTTON, named("Re-run")).click();
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("The action: sent to the app.");
    assertThat(server.backchannel().worker().drain()).isEqualTo(2);

    JsonNode pressed = Json.read(app.take(Duration.ofSeconds(5)).bodyText());
    JsonNode action = Json.read(app.take(Duration.ofSeconds(5)).bodyText());
    List<String> names = List.of(pressed.get("name").asText(), action.get("name").asText());
    assertThat(names).containsExactlyInAnyOrder("client.pressButton", "client.flockmlAction");
    JsonNode press = pressed.get("name").asText().equals("client.pressButton") ? pressed : action;
    assertThat(press.get("buttonId").asText()).isEqualTo("deploy");
    assertThat(press.get("button").asText()).isEqualTo("attachmentButton");
    String uid = press.get("messageUid").asText();

    // The app acts on the press as apps do: by posting as the person.
    ok(
        http.post(
            "/v1/chat.sendMessage",
            null,
            "{\"token\":\"%s\",\"to\":\"g:%d\",\"text\":\"Deploying %s to production\"}"
                .formatted(token, flowId, uid)));
    assertThat(messages(page)).containsText("Deploying " + uid + " to production");
  }

  @Test
  void aWidgetOpensInASandboxedFrameWithTheSignedEventInItsUrl() {
    Page page = chatWithAppInstalled(1280);
    installToken();
    app.answer(
        r ->
            new Answer(
                200,
                Map.of("Content-Type", "text/html; charset=utf-8"),
                "<h1>Board</h1>".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                false));
    var response = page.navigate("/ui/flows/" + flowId + "/chat");
    String csp = response.headerValue("content-security-policy");
    String origin = "http://127.0.0.1:" + app.url("/").getPort();
    assertThat(csp).contains("frame-src " + origin).contains("script-src 'self'");
    assertThat(csp).doesNotContain("frame-src 'self'");

    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true)).fill("/board q3");
    page.keyboard().press("Enter");

    Locator dialog = page.getByRole(AriaRole.DIALOG, named("GitHub"));
    assertThat(dialog).isVisible();
    Locator frame = dialog.locator("iframe");
    assertThat(frame).hasAttribute("sandbox", "allow-scripts allow-forms");
    URI src = URI.create(frame.getAttribute("src"));
    assertThat(src.getPath()).isEqualTo("/board");
    assertThat(src.getRawQuery()).startsWith("flockEvent=");
    Events.WidgetEvent opened =
        Events.verifyQuery(List.of(AppSecret.of(appSecret)), src.getRawQuery(), NOW);
    assertThat(opened.client()).isEqualTo("desktop");
    assertThat(opened.widgetType()).isEqualTo("sidebar");
    JsonNode event = Json.read(opened.event().json());
    assertThat(event.get("name").asText()).isEqualTo("client.slashCommand");
    assertThat(event.get("text").asText()).isEqualTo("q3");
    // The page's policy let the frame load: the app served it.
    RecordingReceiver.Recorded load = app.take(Duration.ofSeconds(5));
    assertThat(load.method() + " " + load.path()).isEqualTo("GET /board");
    assertThat(load.query()).contains("flockEventToken=");
    assertThat(page.frameLocator("#widgets iframe").getByRole(AriaRole.HEADING)).hasText("Board");

    page.keyboard().press("Escape");
    assertThat(dialog).hasCount(0);

    // The chat tab button opens its widget as a modal.
    page.getByRole(AriaRole.BUTTON, named("Todos")).click();
    Locator modal = page.locator("dialog.widget-modal");
    assertThat(modal).isVisible();
    assertThat(modal.locator("iframe")).hasAttribute("sandbox", "allow-scripts allow-forms");
    assertThat(modal.locator("iframe"))
        .hasAttribute(
            "src", java.util.regex.Pattern.compile("/todos\\?flockEvent=.*&flockWidgetType=modal"));
    modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Close")).click();
    assertThat(modal).hasCount(0);
  }

  @Test
  void aWidgetFromAnOriginThePageDidNotKnowLoadsThePageAgainWithThatOriginAllowed() {
    Page page = chatWithAppInstalled(1280);
    String token = installToken();
    String other = "http://localhost:" + app.url("/").getPort();
    assertThat(messages(page))
        .hasAttribute("data-frame-origins", "http://127.0.0.1:" + app.url("/").getPort());
    ok(
        http.post(
            "/v1/chat.sendMessage",
            null,
            """
            {"token":"%s","to":"g:%d","attachments":[{"title":"Sprint board",
              "buttons":[{"name":"Open board","id":"board",
                "action":{"type":"openWidget","url":"%s/sprint","desktopType":"modal"}}]}]}
            """
                .formatted(token, flowId, other)));

    var reloaded =
        page.waitForResponse(
            r ->
                r.request().method().equals("POST")
                    && r.request().headerValue("x-requested-with") == null,
            () -> page.getByRole(AriaRole.BUTTON, named("Open board")).click());

    assertThat(reloaded.headerValue("content-security-policy")).contains(other);
    Locator modal = page.locator("dialog.widget-modal");
    assertThat(modal).isVisible();
    assertThat(modal.locator("iframe"))
        .hasAttribute(
            "src", java.util.regex.Pattern.compile("^" + other + "/sprint\\?flockEvent="));
    assertThat(modal.locator("iframe")).hasAttribute("sandbox", "allow-scripts allow-forms");
  }

  @Test
  void aUrlPreviewAppearsLiveOnTheMessage() throws InterruptedException {
    Page page = chatWithAppInstalled(1280);
    installToken();
    CountDownLatch released = new CountDownLatch(1);
    app.answer(
        r -> {
          if (r.bodyText().contains("chat.generateUrlPreview")) {
            try {
              released.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return Answer.json(
                200,
                """
                {"attachment":{"title":"Issue 42","description":"Fix the login bug",
                 "views":{"flockml":"<flockml>Open since <i>Monday</i></flockml>"}}}
                """);
          }
          return Answer.json(200, "{}");
        });

    page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true))
        .fill("Look at https://issues.example.com/42 please");
    page.keyboard().press("Enter");

    // The message is there while the app is still working on its preview...
    Locator message = messages(page).locator(".chat-message");
    assertThat(message.locator(".text")).hasText("Look at https://issues.example.com/42 please");
    assertThat(message.locator(".attachment")).hasCount(0);
    JsonNode asked = Json.read(app.take(Duration.ofSeconds(5)).bodyText());
    assertThat(asked.get("url").asText()).isEqualTo("https://issues.example.com/42");

    // ...and the preview joins it on the open page when the app answers.
    released.countDown();
    assertThat(message.locator(".attachment .title")).hasText("Issue 42");
    assertThat(message.locator(".attachment .description")).hasText("Fix the login bug");
    assertThat(message.locator(".attachment i")).hasText("Monday");
    assertThat(page).hasURL(server.url() + "/ui/flows/" + flowId + "/chat");
  }

  @Test
  void atPhoneWidthEverythingFitsAndWorksByKeyboard() {
    Page page = chatWithAppInstalled(375);
    installToken();
    app.answer(Answer.json(200, "{\"text\":\"Rain in Oslo\"}"));
    Locator input = page.getByLabel("Message", new Page.GetByLabelOptions().setExact(true));
    input.focus();
    page.keyboard().type("/weather oslo");
    page.keyboard().press("Enter");
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("Rain in Oslo");
    page.keyboard().type("Plain message");
    page.keyboard().press("Tab");
    page.keyboard().press("Enter"); // the Send button
    assertThat(messages(page).locator(".text")).hasText("Plain message");
    Object overflow = page.evaluate("document.documentElement.scrollWidth");
    assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(375);
    assertThat(page.getByRole(AriaRole.BUTTON, named("Send")).boundingBox().x).isLessThan(375);
  }

  @Test
  void aFormWithoutTheSessionsCsrfTokenPostsNothing() {
    Page page = openChat(1280);
    var answer =
        context
            .request()
            .post(
                server.url() + "/ui/flows/" + flowId + "/chat",
                RequestOptions.create()
                    .setForm(FormData.create().set("csrf", "forged").set("text", "hi")));
    assertThat(answer.status()).isEqualTo(403);
    var outsider = context.request().get(server.url() + "/ui/flows/999/chat/messages");
    assertThat(outsider.status()).isEqualTo(404);
    assertThat(
            ok(http.get("/api/v1/platform/flows/" + flowId + "/messages", adminToken)).get("items"))
        .isEmpty();
    page.reload();
    assertThat(page.getByText("No messages yet")).isVisible();
  }
}
