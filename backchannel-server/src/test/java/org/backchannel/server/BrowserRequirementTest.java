package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Without a browser the browser tests fail loudly, unless skipping them was asked for. */
final class BrowserRequirementTest {
  @TempDir Path dir;

  @Test
  void aMissingBrowserFailsSayingHowToInstallIt() {
    assertThatThrownBy(() -> BrowserFixture.requireBrowser(dir.resolve("chromium"), null))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("apt-get install chromium")
        .hasMessageContaining("-Dbrowser.tests=skip");
  }

  @Test
  void askingToSkipThemShowsThemAsSkipped() {
    assertThatThrownBy(() -> BrowserFixture.requireBrowser(dir.resolve("chromium"), "skip"))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void anInstalledBrowserLetsThemRun() {
    assertThatCode(() -> BrowserFixture.requireBrowser(Path.of("/bin/sh"), null))
        .doesNotThrowAnyException();
  }
}
