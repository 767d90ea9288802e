package org.backchannel.server;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The server fixture plus the system Chromium driven by Playwright: one browser per test class, a
 * fresh context (cookies) per test. Without {@code /usr/bin/chromium} the tests fail, saying how to
 * install it, unless {@code -Dbrowser.tests=skip} opts out: then they show as skipped.
 */
abstract class BrowserFixture extends ServerFixture {
  static final Path CHROMIUM = Path.of(System.getProperty("browser.path", "/usr/bin/chromium"));
  static final String PASSWORD = "correct horse battery";
  static Playwright playwright;
  static Browser browser;
  BrowserContext context;

  @Override
  Store newStore() {
    return TestDatabases.sqlite();
  }

  @Override
  void configure(Map<String, String> settings) {
    settings.put("retry_schedule", "0s"); // one attempt: a failing delivery fails at once
  }

  @BeforeAll
  static void launch() {
    requireBrowser(CHROMIUM, System.getProperty("browser.tests"));
    playwright = Playwright.create();
    browser =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM)
                    .setArgs(
                        List.of(
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--no-first-run")));
  }

  /**
   * A browser test never passes by not running: it runs, fails saying why, or is skipped on
   * request.
   */
  static void requireBrowser(Path chromium, String mode) {
    assumeFalse("skip".equals(mode), "browser tests skipped (-Dbrowser.tests=skip)");
    if (!Files.isExecutable(chromium)) {
      fail(
          "Chromium is not installed at "
              + chromium
              + ": apt-get install chromium (or skip the browser tests with -Dbrowser.tests=skip)");
    }
  }

  @AfterAll
  static void quit() {
    if (browser != null) {
      browser.close();
      playwright.close();
    }
  }

  @AfterEach
  void closeContext() {
    if (context != null) {
      context.close();
    }
  }

  Page newPage(int width, int height) {
    context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setBaseURL(server.url().toString())
                .setViewportSize(width, height));
    context.setDefaultTimeout(10_000);
    return context.newPage();
  }

  Page newPage() {
    return newPage(1280, 800);
  }

  String setupLink(String email) {
    return "/setup/" + new WebAccounts(store, clock).newSetupLink(1, email);
  }

  /** Chooses a password through a one-time link, which signs the person in. */
  void choosePassword(Page page, String email) {
    page.navigate(setupLink(email));
    page.getByLabel("Password (at least 10 characters)").fill(PASSWORD);
    page.getByLabel("Repeat it").fill(PASSWORD);
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Set password and sign in"))
        .click();
  }
}
