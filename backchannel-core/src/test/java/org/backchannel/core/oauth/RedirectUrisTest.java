package org.backchannel.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.backchannel.core.Validation;
import org.junit.jupiter.api.Test;

/** Which redirect URIs an app may register, with and without --dev. */
final class RedirectUrisTest {
  static Map<String, List<String>> check(String uri, boolean dev) {
    Validation v = new Validation();
    RedirectUris.check(v, "redirect_uris[0]", uri, dev);
    return v.errors();
  }

  @Test
  void exactHttpsUrisAreTakenWithTheirQuery() {
    assertThat(check("https://app.example.com/oauth/callback", false)).isEmpty();
    assertThat(check("https://app.example.com:8443/cb?team=1&x=y", false)).isEmpty();
    assertThat(check("https://localhost/cb", false)).isEmpty();
  }

  @Test
  void loopbackOverHttpOnlyInDev() {
    for (String uri :
        List.of("http://127.0.0.1:9000/cb", "http://[::1]:9000/cb", "http://localhost/cb")) {
      assertThat(check(uri, true)).as(uri).isEmpty();
      assertThat(check(uri, false).get("redirect_uris[0]"))
          .as(uri)
          .singleElement()
          .asString()
          .contains("--dev");
      assertThat(RedirectUris.usable(uri, false)).isFalse();
      assertThat(RedirectUris.usable(uri, true)).isTrue();
    }
  }

  @Test
  void patternsFragmentsOtherSchemesAndCredentialsAreRefused() {
    assertThat(check("https://*.example.com/cb", true).get("redirect_uris[0]").getFirst())
        .contains("wildcards");
    assertThat(check("https://app.example.com/cb#done", true).get("redirect_uris[0]").getFirst())
        .contains("fragment");
    assertThat(check("https://user:pw@app.example.com/cb", true).get("redirect_uris[0]").getFirst())
        .contains("user name");
    assertThat(check("http://app.example.com/cb", true).get("redirect_uris[0]").getFirst())
        .contains("https");
    assertThat(check("com.example.app:/cb", true)).isNotEmpty();
    assertThat(check("/relative/cb", true)).isNotEmpty();
    assertThat(check("https://app.example.com/a b", true)).isNotEmpty();
    assertThat(check("", true).get("redirect_uris[0]")).containsExactly("is required");
    assertThat(check("https://app.example.com/" + "x".repeat(2000), true)).isNotEmpty();
  }

  @Test
  void anInstallLinkMayHaveAFragment() {
    Validation v = new Validation();
    RedirectUris.checkLink(v, "install_url", "https://app.example.com/install#start", false);
    RedirectUris.checkLink(v, "install_url", "javascript:alert(1)", false);
    assertThat(v.errors().get("install_url")).hasSize(1);
  }
}
