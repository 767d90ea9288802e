package org.backchannel.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names holding HTML show as the text they are on every area of the web UI, and run nothing. */
final class EscapingBrowserTest extends BrowserFixture {
  static final String EVIL = "<img src=x onerror=alert(1)>";

  @Test
  void htmlInNamesShowsAsTextOnEveryArea() {
    long flow =
        ok(http.post(
                "/api/v1/flows",
                adminToken,
                "{\"name\":\"%s\",\"members\":[%d]}".formatted(EVIL, memberId)))
            .get("id")
            .asLong();
    long app =
        ok(http.post("/api/v1/apps", adminToken, "{\"name\":\"%s\"}".formatted(EVIL)))
            .get("id")
            .asLong();
    ok(
        http.post(
            "/api/v1/sources",
            adminToken,
            "{\"app_id\":%d,\"flow_id\":%d,\"name\":\"%s\"}".formatted(app, flow, EVIL)));
    long workflow =
        ok(http.post(
                "/api/v1/workflows",
                adminToken,
                """
                {"name": "%1$s", "app_id": %2$d,
                 "fields": [{"name": "%1$s", "type": "text"}],
                 "stages": [{"name": "%1$s"}, {"name": "Done", "end": true}],
                 "actions": [{"name": "%1$s", "stages": ["%1$s"],
                              "steps": [{"type": "move_to_stage", "stage": "Done"}]}]}
                """
                    .formatted(EVIL, app)))
            .get("id")
            .asLong();
    long task =
        ok(http.post(
                "/api/v1/workflows/" + workflow + "/tasks",
                adminToken,
                "{\"fields\": {\"%1$s\": \"%1$s\"}}".formatted(EVIL)))
            .get("id")
            .asLong();
    ok(
        http.post(
            "/api/v1/users",
            adminToken,
            "{\"name\":\"%s\",\"email\":\"eve@example.com\"}".formatted(EVIL)));
    // An app people authorised, listed in the directory with its own words.
    JsonNode ada = ok(http.get("/api/v1/me", adminToken));
    GrantRows.client(store, clock.instant(), app, true, EVIL, "https://apps.example/install");
    GrantRows.grant(
        store,
        clock.instant(),
        ada.get("workspace_id").asLong(),
        app,
        ada.get("id").asLong(),
        flow,
        java.util.Set.of(org.backchannel.core.workspace.Scope.FLOW_POST));

    Page page = newPage();
    List<String> dialogs = new ArrayList<>();
    page.onDialog(
        d -> {
          dialogs.add(d.message());
          d.dismiss();
        });
    choosePassword(page, "ada@example.com");
    for (String path :
        List.of(
            "/ui/flows/" + flow,
            "/ui/flows/" + flow + "/chat",
            "/ui/workflows",
            "/ui/workflows/" + workflow,
            "/ui/workflows/" + workflow + "/tasks/new",
            "/ui/workflows/" + workflow + "/tasks/" + task,
            "/ui/workflows/" + workflow + "/builder",
            "/ui/apps",
            "/ui/apps/" + app,
            "/ui/sources",
            "/ui/people",
            "/ui/account/apps",
            "/ui/apps/directory",
            "/ui/apps/installs")) {
      page.navigate(path);
      assertThat(page.getByText(EVIL, new Page.GetByTextOptions().setExact(true)).first())
          .isVisible();
      assertThat(page.locator("img")).hasCount(0);
    }
    assertThat(dialogs).isEmpty();
  }
}
