package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.backchannel.core.Problem;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.junit.jupiter.api.Test;

/**
 * Deactivating someone who has left takes away their access at once and keeps what they did;
 * reactivating lets them back in with a new token. Runs once per store.
 */
abstract class PeopleContract extends ServerFixture {

  @Test
  void aDeactivatedPersonLosesAccessAtOnceAndTheirWorkStays() {
    long thread = postActivity();
    JsonNode acted = select(thread, 0, memberToken);
    assertThat(http.get("/api/v1/me", memberToken).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(5));

    JsonNode gone = ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));
    assertThat(gone.get("id").asLong()).isEqualTo(memberId);
    assertThat(gone.get("deactivated_at").asText()).isEqualTo(NOW.plusSeconds(300).toString());
    assertThat(gone.has("token")).isFalse();

    // Their token gets exactly the answer an unknown one gets: nothing tells that they left.
    Http.Answer refused = http.get("/api/v1/me", memberToken);
    Http.Answer unknown = http.get("/api/v1/me", "bcu_not-a-token");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.text()).isEqualTo(unknown.text());
    assertThat(http.post("/api/v1/users/" + memberId + "/token", memberToken, "").status())
        .isEqualTo(401);

    // Still listed, by name, with when they left; still a member of the flow they worked in.
    JsonNode listed = person(ok(http.get("/api/v1/users", adminToken)), memberId);
    assertThat(listed.get("name").asText()).isEqualTo("Mia Member");
    assertThat(listed.get("deactivated_at").asText()).isEqualTo(NOW.plusSeconds(300).toString());
    assertThat(person(ok(http.get("/api/v1/flows/" + flowId + "/members", adminToken)), memberId))
        .isNotNull();
    assertThat(person(ok(http.get("/api/v1/users", adminToken)), 1).get("deactivated_at").isNull())
        .as("an active person shows null")
        .isTrue();
    // What they did is still there, still theirs.
    JsonNode delivery =
        ok(http.get("/api/v1/deliveries/" + acted.get("delivery_id").asLong(), adminToken));
    assertThat(delivery.get("actor_id").asLong()).isEqualTo(memberId);
    assertThat(ok(http.get("/api/v1/threads/" + thread, adminToken)).get("id").asLong())
        .isEqualTo(thread);

    // Deactivating twice changes nothing.
    JsonNode again = ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));
    assertThat(again.get("deactivated_at")).isEqualTo(gone.get("deactivated_at"));
  }

  @Test
  void reactivatingLetsThemBackInWithANewTokenOnly() {
    ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));
    JsonNode back = ok(http.post("/api/v1/users/" + memberId + "/reactivate", adminToken, ""));
    assertThat(back.get("deactivated_at").isNull()).isTrue();
    String token = back.get("token").asText();
    assertThat(token).isNotBlank().isNotEqualTo(memberToken);

    assertThat(http.get("/api/v1/me", memberToken).status())
        .as("the token from before stays dead")
        .isEqualTo(401);
    assertThat(ok(http.get("/api/v1/me", token)).get("id").asLong()).isEqualTo(memberId);
    assertThat(ok(http.get("/api/v1/flows/" + flowId, token)).get("id").asLong())
        .as("their flows are theirs again")
        .isEqualTo(flowId);

    Http.Answer twice = http.post("/api/v1/users/" + memberId + "/reactivate", adminToken, "");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.json().get("message").asText()).contains("not deactivated");
  }

  @Test
  void onlyAdminsDeactivateAndNeverThemselves() {
    long adaId = ok(http.get("/api/v1/me", adminToken)).get("id").asLong();
    long otto = ok(http.get("/api/v1/me", outsiderToken)).get("id").asLong();

    assertThat(http.post("/api/v1/users/" + otto + "/deactivate", memberToken, "").status())
        .isEqualTo(403);
    assertThat(http.post("/api/v1/users/" + otto + "/reactivate", memberToken, "").status())
        .isEqualTo(403);
    assertThat(http.post("/api/v1/users/999999/deactivate", adminToken, "").status())
        .isEqualTo(404);
    assertThat(http.post("/api/v1/users/999999/reactivate", adminToken, "").status())
        .isEqualTo(404);

    Http.Answer self = http.post("/api/v1/users/" + adaId + "/deactivate", adminToken, "");
    assertThat(self.status()).isEqualTo(400);
    assertThat(self.json().get("errors").get("user").get(0).asText()).contains("yourself");
    assertThat(http.get("/api/v1/me", memberToken).status())
        .as("refusals change nothing")
        .isEqualTo(200);
    assertThat(http.get("/api/v1/me", outsiderToken).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/me", adminToken).status()).isEqualTo(200);
  }

  @Test
  void aDeactivatedAdminDoesNotCountAsTheWorkspacesAdmin() {
    Directory directory = server.backchannel().directory();
    User ada = directory.authenticate(adminToken);
    directory.changeRole(ada, memberId, User.Role.ADMIN);
    ok(http.post("/api/v1/users/" + memberId + "/deactivate", adminToken, ""));

    // Two admins on paper, one who can act: she cannot step down.
    assertThatThrownBy(() -> directory.changeRole(ada, ada.id(), User.Role.MEMBER))
        .isInstanceOf(Problem.Invalid.class)
        .hasMessageContaining("needs an admin");
    assertThat(directory.authenticate(adminToken).isAdmin()).isTrue();
  }

  @Test
  void aDeactivatedPersonCannotBeAddedToAFlow() {
    long otto = ok(http.get("/api/v1/me", outsiderToken)).get("id").asLong();
    ok(http.post("/api/v1/users/" + otto + "/deactivate", adminToken, ""));

    Http.Answer add = http.send("PUT", "/api/v1/flows/" + flowId + "/members/" + otto, adminToken);
    assertThat(add.status()).isEqualTo(409);
    assertThat(add.json().get("message").asText()).contains("deactivated");
    Http.Answer create =
        http.post("/api/v1/flows", adminToken, "{\"name\":\"ops\",\"members\":[" + otto + "]}");
    assertThat(create.status()).isEqualTo(409);
    assertThat(person(ok(http.get("/api/v1/flows/" + flowId + "/members", adminToken)), otto))
        .isNull();
    assertThat(ok(http.get("/api/v1/flows", adminToken)).findValuesAsText("name"))
        .doesNotContain("ops");
  }

  @Test
  void theCommandLineDeactivatesAndReactivates() {
    String url = server.url().toString();
    assertThat(
            Main.commandLine()
                .execute(
                    "users",
                    "deactivate",
                    "--url",
                    url,
                    "--token",
                    adminToken,
                    "--user",
                    String.valueOf(memberId)))
        .isZero();
    assertThat(http.get("/api/v1/me", memberToken).status()).isEqualTo(401);
    assertThat(
            Main.commandLine()
                .execute(
                    "users",
                    "reactivate",
                    "--url",
                    url,
                    "--token",
                    memberToken,
                    "--user",
                    String.valueOf(memberId)))
        .as("a refused call exits non-zero")
        .isEqualTo(1);
    assertThat(
            Main.commandLine()
                .execute(
                    "users",
                    "reactivate",
                    "--url",
                    url,
                    "--token",
                    adminToken,
                    "--user",
                    String.valueOf(memberId)))
        .isZero();
    JsonNode back = person(ok(http.get("/api/v1/users", adminToken)), memberId);
    assertThat(back.get("deactivated_at").isNull()).isTrue();
  }

  private static JsonNode person(JsonNode users, long id) {
    for (JsonNode u : users) {
      if (u.get("id").asLong() == id) {
        return u;
      }
    }
    return null;
  }
}
