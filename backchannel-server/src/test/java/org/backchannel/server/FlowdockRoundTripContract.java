package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.backchannel.core.Json;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.Test;

/**
 * The Flowdock round trip end to end, over HTTP, against a real server, store and receiver: an app
 * posts a thread with actions, a member selects an UpdateAction, the app gets the signed call and
 * its answer decides what the member sees. Runs once per store.
 */
abstract class FlowdockRoundTripContract extends ServerFixture {
  @Test
  void aSelectedUpdateActionReachesTheAppSignedAndTheMemberSeesDone() throws Exception {
    long thread = postActivity();

    JsonNode result = select(thread, 0, memberToken);

    assertThat(result.get("outcome").asText()).isEqualTo("done");
    RecordingReceiver.Recorded call = app.take(Duration.ofSeconds(5));
    assertThat(call.method()).isEqualTo("POST");
    assertThat(call.path()).isEqualTo("/issues/42/assign-to-me");
    assertThat(call.header("Content-Type")).startsWith("application/json");

    // The body is the stored action enriched with the acting person.
    ObjectNode expected =
        (ObjectNode)
            Json.read(
                """
                {"@type":"UpdateAction","name":"Assign to me",
                 "target":{"@type":"EntryPoint","urlTemplate":"%s","httpMethod":"POST"},
                 "agent":{"@type":"Person","name":"Mia Member","image":"https://example.com/mia.png"}}
                """
                    .formatted(app.url("/issues/42/assign-to-me")));
    assertThat(Json.MAPPER.readTree(call.body())).isEqualTo(expected);

    // Verify as the seed's app does: JWT with the OAuth secret, then the body digest.
    SignedJWT jwt = SignedJWT.parse(call.header("FLOWDOCK-TOKEN"));
    assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
    assertThat(jwt.verify(new MACVerifier(appSecret.getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(Long.toString(memberId));
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant())
        .isEqualTo(NOW.plusSeconds(30));
    String digest =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(call.body()));
    assertThat(
            MessageDigest.isEqual(
                digest.getBytes(StandardCharsets.US_ASCII),
                jwt.getJWTClaimsSet()
                    .getStringClaim("signature")
                    .getBytes(StandardCharsets.US_ASCII)))
        .isTrue();

    // And the Standard Webhooks headers verify with the same secret.
    StandardWebhooks.verify(
        call::header, call.body(), List.of(AppSecret.of(appSecret)), NOW, Duration.ofMinutes(5));

    // The call is recorded, with its secrets redacted.
    JsonNode delivery =
        ok(http.get("/api/v1/deliveries/" + result.get("delivery_id").asLong(), adminToken));
    assertThat(delivery.get("state").asText()).isEqualTo("succeeded");
    JsonNode attempt = delivery.get("attempts").get(0);
    assertThat(attempt.get("request").get("headers").get("FLOWDOCK-TOKEN").asText())
        .isEqualTo("[redacted]");
    assertThat(attempt.get("request").get("body").asText())
        .isEqualTo(new String(call.body(), StandardCharsets.UTF_8));
    assertThat(attempt.get("response").get("status").asInt()).isEqualTo(200);
    assertThat(attempt.toString()).doesNotContain(call.header("FLOWDOCK-TOKEN"));
  }

  @Test
  void anAuthenticationChallengeGivesTheMemberTheAppsUrl() {
    long thread = postActivity();
    String url = "https://app.example.com/auth?claim=eyJhbGciOiJIUzI1NiJ9.e30.x";
    app.answer(
        Answer.json(401, "{\"error\": \"Authentication required\"}")
            .withHeader("www-authenticate", "Flowdock-Token url=" + url));

    JsonNode result = select(thread, 0, memberToken);

    assertThat(result.get("outcome").asText()).isEqualTo("authenticate");
    assertThat(result.get("url").asText()).isEqualTo(url);
  }

  @Test
  void anAppErrorIsAFailureWithItsStatusAndNothingChangesInTheThread() {
    long thread = postActivity();
    JsonNode before = ok(http.get("/api/v1/threads/" + thread, memberToken));
    app.answer(Answer.json(500, "{\"error\":\"database down\"}"));

    JsonNode result = select(thread, 0, memberToken);

    assertThat(result.get("outcome").asText()).isEqualTo("failed");
    assertThat(result.get("status").asInt()).isEqualTo(500);
    assertThat(result.get("reason").asText()).contains("500").contains("database down");
    assertThat(ok(http.get("/api/v1/threads/" + thread, memberToken))).isEqualTo(before);
  }

  @Test
  void aPlain401WithoutAChallengeIsAFailure() {
    long thread = postActivity();
    app.answer(Answer.status(401));

    JsonNode result = select(thread, 0, memberToken);

    assertThat(result.get("outcome").asText()).isEqualTo("failed");
    assertThat(result.get("status").asInt()).isEqualTo(401);
  }

  @Test
  void anAppThatNeverAnswersFailsWithinTheBound() {
    long thread = postActivity();
    app.answer(Answer.never());

    long start = System.nanoTime();
    JsonNode result = select(thread, 0, memberToken);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result.get("outcome").asText()).isEqualTo("failed");
    assertThat(result.get("status").isNull()).isTrue();
    assertThat(result.get("reason").asText()).contains("did not answer in time");
    assertThat(took).isLessThan(Duration.ofSeconds(5)); // bound is 2 s; generous for a busy CI
    JsonNode delivery =
        ok(http.get("/api/v1/deliveries/" + result.get("delivery_id").asLong(), adminToken));
    assertThat(delivery.get("state").asText()).isEqualTo("failed");
    assertThat(delivery.get("attempts").get(0).get("error").asText()).startsWith("timeout");
  }

  @Test
  void aRefusedConnectionIsAFailure() {
    String closedUrl;
    try (RecordingReceiver gone = RecordingReceiver.start()) {
      closedUrl = gone.url("/x").toString();
    }
    JsonNode posted =
        ok(
            http.post(
                "/messages",
                null,
                activity("t-refused")
                    .replace(app.url("/issues/42/assign-to-me").toString(), closedUrl)));

    JsonNode result = select(posted.get("thread_id").asLong(), 0, memberToken);

    assertThat(result.get("outcome").asText()).isEqualTo("failed");
    assertThat(result.get("reason").asText()).contains("refused");
  }

  @Test
  void aNonMemberCannotSeeOrSelectAndNothingIsSent() {
    long thread = postActivity();

    assertThat(http.post("/api/v1/threads/" + thread + "/actions/0", outsiderToken, "").status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/threads/" + thread, outsiderToken).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/flows/" + flowId + "/threads", outsiderToken).status())
        .isEqualTo(404);
    assertThat(app.requests()).isEmpty();
  }

  @Test
  void aViewActionIsALinkAndIsNeverCalled() {
    long thread = postActivity();

    JsonNode result = select(thread, 1, memberToken);

    assertThat(result.get("outcome").asText()).isEqualTo("link");
    assertThat(result.get("url").asText())
        .isEqualTo("https://github.com/flowdock/component/pull/42/files");
    assertThat(app.requests()).isEmpty();
  }

  @Test
  void messagesWithTheSameExternalThreadIdShareAThreadAndUpdateIt() {
    long first = postActivity();
    String update =
        """
        {"flow_token":"%s","event":"discussion","author":{"name":"ann"},"title":"commented",
         "body":"<p>LGTM</p>","external_thread_id":"github:component:pr:42",
         "thread":{"status":{"color":"purple","value":"merged"}}}
        """
            .formatted(flowToken);

    long second = ok(http.post("/messages", null, update)).get("thread_id").asLong();

    assertThat(second).isEqualTo(first);
    JsonNode thread = ok(http.get("/api/v1/threads/" + first, memberToken));
    assertThat(thread.get("status").get("value").asText()).isEqualTo("merged");
    assertThat(thread.get("title").asText()).isEqualTo("Fix bug in thread API");
    assertThat(thread.get("actions")).hasSize(2);
    JsonNode messages = ok(http.get("/api/v1/threads/" + first + "/messages", memberToken));
    assertThat(messages.get("items")).hasSize(2);
    assertThat(messages.get("items").get(0).get("body").asText()).isEqualTo("<p>LGTM</p>");
  }

  @Test
  void concurrentPostsShareOneNewThreadAndABadOneFailsAlone() throws Exception {
    int n = 24;
    List<java.util.concurrent.Future<Http.Answer>> answers = new java.util.ArrayList<>();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        String token = i == 5 ? "not-a-flow-token" : flowToken;
        String event = i == 9 ? "no-such-event" : "message";
        String body =
            "{\"flow_token\":\"%s\",\"event\":\"%s\",\"content\":\"c%d\",\"external_thread_id\":\"burst\",\"thread\":{\"title\":\"Burst\"}}"
                .formatted(token, event, i);
        answers.add(threads.submit(() -> http.post("/messages", null, body)));
      }
    }
    java.util.Set<Long> threadIds = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      Http.Answer a = answers.get(i).get();
      if (i == 5) {
        assertThat(a.status()).isEqualTo(401);
      } else if (i == 9) {
        assertThat(a.status()).as(a.text()).isEqualTo(400);
        assertThat(a.json().get("errors").has("event")).isTrue();
      } else {
        threadIds.add(ok(a).get("thread_id").asLong());
      }
    }
    assertThat(threadIds).as("one thread for them all").hasSize(1);
    JsonNode messages =
        ok(
            http.get(
                "/api/v1/threads/" + threadIds.iterator().next() + "/messages?limit=100",
                memberToken));
    assertThat(messages.get("items")).hasSize(n - 2);
    assertThat(messages.get("items").findValuesAsText("content")).doesNotContain("c5", "c9");
  }

  @Test
  void concurrentPostsToOneThreadEachKeepTheMembersTheyChanged() throws Exception {
    ok(
        http.post(
            "/messages",
            null,
            "{\"flow_token\":\"%s\",\"event\":\"activity\",\"title\":\"opened\",\"author\":{\"name\":\"ci\"},\"external_thread_id\":\"merge\",\"thread\":{\"title\":\"Merge\"}}"
                .formatted(flowToken)));
    List<String> changes =
        List.of(
            "\"body\":\"Updated\"",
            "\"status\":{\"color\":\"red\",\"value\":\"failing\"}",
            "\"external_url\":\"https://example.com/merge\"");
    List<java.util.concurrent.Future<Http.Answer>> answers = new java.util.ArrayList<>();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 24; i++) {
        // a few change one member of the thread each; the rest only add a message to it
        String thread = i < changes.size() ? ",\"thread\":{" + changes.get(i) + "}" : "";
        String body =
            "{\"flow_token\":\"%s\",\"event\":\"message\",\"content\":\"c%d\",\"external_thread_id\":\"merge\"%s}"
                .formatted(flowToken, i, thread);
        answers.add(threads.submit(() -> http.post("/messages", null, body)));
      }
    }
    long threadId = 0;
    for (var a : answers) {
      threadId = ok(a.get()).get("thread_id").asLong();
    }
    JsonNode thread = ok(http.get("/api/v1/threads/" + threadId, memberToken));
    assertThat(thread.get("title").asText()).isEqualTo("Merge");
    assertThat(thread.get("body").asText()).isEqualTo("Updated");
    assertThat(thread.get("status").get("color").asText()).isEqualTo("red");
    assertThat(thread.get("external_url").asText()).isEqualTo("https://example.com/merge");
    assertThat(
            ok(http.get("/api/v1/threads/" + threadId + "/messages?limit=100", memberToken))
                .get("items"))
        .hasSize(25);
  }

  @Test
  void aFormEncodedPostIsReadLikeJson() {
    String form =
        "flow_token="
            + flowToken
            + "&event=activity&author%5Bname%5D=bot&title=Deployed"
            + "&external_thread_id=deploy-1"
            + "&thread%5Btitle%5D=Deploy+1&thread%5Bstatus%5D%5Bcolor%5D=green"
            + "&thread%5Bstatus%5D%5Bvalue%5D=ok"
            + "&thread%5Bfields%5D%5B%5D%5Blabel%5D=env&thread%5Bfields%5D%5B%5D%5Bvalue%5D=prod"
            + "&thread%5Bfields%5D%5B%5D%5Blabel%5D=sha&thread%5Bfields%5D%5B%5D%5Bvalue%5D=abc";

    JsonNode posted = ok(http.postForm("/messages", form));

    JsonNode thread =
        ok(http.get("/api/v1/threads/" + posted.get("thread_id").asLong(), memberToken));
    assertThat(thread.get("title").asText()).isEqualTo("Deploy 1");
    assertThat(thread.get("status").get("color").asText()).isEqualTo("green");
    assertThat(thread.get("fields").toString())
        .isEqualTo(
            "[{\"label\":\"env\",\"value\":\"prod\"},{\"label\":\"sha\",\"value\":\"abc\"}]");
  }

  @Test
  void messagesArePagedNewestFirstAndCanBeFollowed() {
    postActivity();
    for (int i = 0; i < 4; i++) {
      ok(
          http.post(
              "/messages",
              null,
              "{\"flow_token\":\"%s\",\"event\":\"message\",\"content\":\"m%d\",\"external_thread_id\":\"github:component:pr:42\"}"
                  .formatted(flowToken, i)));
    }

    JsonNode page1 = ok(http.get("/api/v1/flows/" + flowId + "/messages?limit=2", memberToken));
    assertThat(page1.get("items").findValuesAsText("content")).containsExactly("m3", "m2");
    long next = page1.get("next").asLong();
    JsonNode page2 =
        ok(http.get("/api/v1/flows/" + flowId + "/messages?limit=2&before=" + next, memberToken));
    assertThat(page2.get("items").findValuesAsText("content")).containsExactly("m1", "m0");
    JsonNode page3 =
        ok(
            http.get(
                "/api/v1/flows/"
                    + flowId
                    + "/messages?limit=2&before="
                    + page2.get("next").asLong(),
                memberToken));
    assertThat(page3.get("items")).hasSize(1);
    assertThat(page3.get("next").isNull()).isTrue();
  }
}
