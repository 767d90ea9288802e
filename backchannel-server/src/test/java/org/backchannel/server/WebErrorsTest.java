package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.User;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/** A failing page of the web UI answers with a page; a failing API call with JSON. */
final class WebErrorsTest extends ServerFixture {
  final HttpClient client = HttpClient.newHttpClient();

  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  private boolean storeGone;

  @Override
  void stop() {
    if (!storeGone) {
      super.stop();
      return;
    }
    try {
      server.close();
    } catch (RuntimeException e) {
      // The server stops its HTTP side first, then finds its store already closed.
    }
    app.close();
  }

  HttpResponse<String> page(String path, String session) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(server.url().resolve(path))
            .header("Cookie", "bc_session=" + session)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRefusedPageIsAPageWithTheProblemsStatus() throws Exception {
    User ada = server.backchannel().directory().authenticate(adminToken);
    String session = new WebAccounts(store, clock).startSession(ada);

    HttpResponse<String> missing = page("/ui/flows/9999", session);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(missing.body()).contains("<h1>Not found</h1>").doesNotContain("{\"message\"");

    HttpResponse<String> badQuery = page("/ui/deliveries?app=x", session);
    assertThat(badQuery.statusCode()).isEqualTo(400);
    assertThat(badQuery.body()).contains("app must be a whole number");
  }

  @Test
  void aPageThatBreaksIsAnHtml500WhileTheApiAnswersJson() throws Exception {
    storeGone = true;
    store.close(); // every request now fails inside the server, as when its database is gone

    HttpResponse<String> broken = page("/ui/flows/" + flowId, "some-session");
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(broken.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(broken.body())
        .contains("Something went wrong")
        .doesNotContain("internal error")
        .doesNotContain("Exception");

    Http.Answer api = http.get("/api/v1/flows", adminToken);
    assertThat(api.status()).isEqualTo(500);
    assertThat(api.json().get("message").asText()).isEqualTo("internal error");

    // The OAuth authorisation endpoint is a page; the token endpoint is an API.
    HttpResponse<String> authorize =
        page(
            "/oauth/authorize?response_type=code&client_id=gh&scope=user:read"
                + "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb",
            "some-session");
    assertThat(authorize.statusCode()).isEqualTo(500);
    assertThat(authorize.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(authorize.headers().firstValue("Location")).isEmpty();
    Http.Answer token =
        http.postForm(
            "/oauth/token",
            "grant_type=refresh_token&refresh_token=bcr_x&client_id=gh&client_secret=s",
            null);
    assertThat(token.status()).isEqualTo(500);
    assertThat(token.json().get("message").asText()).isEqualTo("internal error");
  }
}
