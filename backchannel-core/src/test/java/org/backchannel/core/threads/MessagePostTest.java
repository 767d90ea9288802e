package org.backchannel.core.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.backchannel.core.Json;
import org.backchannel.core.Problem;
import org.junit.jupiter.api.Test;

/** The message codec: a posted body is read whole, or refused naming every broken field. */
final class MessagePostTest {
  private static MessagePost parse(String json) {
    return MessagePost.parse(Json.read(json));
  }

  @Test
  void readsAnActivityWithItsThread() {
    MessagePost p =
        parse(
            """
            {"event":"activity","title":"Deployed","body":"<b>v2</b>",
             "external_thread_id":"deploy-1",
             "author":{"name":"CI","avatar":"https://ci.test/a.png","email":"ci@ci.test"},
             "thread":{"title":"Deploys","status":{"color":"green","value":"ok"}}}
            """);
    assertThat(p.event()).isEqualTo("activity");
    assertThat(p.author()).isEqualTo(new Author("CI", "https://ci.test/a.png", "ci@ci.test"));
    assertThat(p.externalThreadId()).isEqualTo("deploy-1");
    assertThat(p.thread().path("title").asText()).isEqualTo("Deploys");
  }

  @Test
  void aPlainMessageNeedsContentButNoAuthorOrTitle() {
    MessagePost p =
        parse("{\"event\":\"message\",\"content\":\"hi\",\"external_thread_id\":\"t\"}");
    assertThat(p.body()).isEqualTo("hi");
    assertThat(p.author()).isNull();
  }

  @Test
  void everyBrokenFieldIsNamedAtOnce() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    {"event":"shout","author":{"name":"","avatar":"ftp://x","email":"nope"},
                     "thread":7}
                    """))
        .isInstanceOfSatisfying(
            Problem.Invalid.class,
            e ->
                assertThat(e.errors())
                    .containsKeys(
                        "event",
                        "author.name",
                        "author.avatar",
                        "author.email",
                        "external_thread_id",
                        "thread"));
    assertThatThrownBy(() -> parse("[1]"))
        .isInstanceOfSatisfying(
            Problem.Invalid.class, e -> assertThat(e.errors()).containsOnlyKeys("body"));
  }

  @Test
  void threadDataWrittenReadsBackTheSame() {
    ThreadData data =
        ThreadJson.read(
            "{\"title\":\"T\",\"status\":{\"color\":\"red\",\"value\":\"down\"},"
                + "\"actions\":[{\"@type\":\"ViewAction\",\"name\":\"Open\","
                + "\"url\":\"https://a.test/\"},{\"@type\":\"UpdateAction\",\"name\":\"Ack\","
                + "\"target\":{\"@type\":\"EntryPoint\",\"urlTemplate\":\"https://a.test/ack\"}}]}");
    assertThat(ThreadJson.read(ThreadJson.write(data))).isEqualTo(data);
    assertThat(data.actions()).extracting(Action::name).containsExactly("Open", "Ack");
    // An UpdateAction with no method is a POST.
    assertThat(((Action.Update) data.actions().get(1)).httpMethod()).isEqualTo("POST");
  }
}
