package org.backchannel.server.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.backchannel.core.apps.App;
import org.backchannel.core.threads.ActionResult;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;

/** What the templates share: how times and links are shown, and the workspace's views. */
final class Pages {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s]+");

  private Pages() {}

  /** What pressing an action gave, shown above the threads. */
  record Result(String threadTitle, String actionName, ActionResult result) {}

  /** A thread with its newest messages. */
  record ThreadView(FlowThread thread, List<Message> messages) {}

  /** A link target from an app: only http(s), otherwise empty (the template escapes it). */
  static String url(String url) {
    return url != null && HTTP_URL.matcher(url).matches() ? url : "";
  }

  static String time(Instant instant) {
    return instant == null ? "" : TIME.format(instant);
  }

  static String appName(List<App> apps, long id) {
    return apps.stream().filter(a -> a.id() == id).map(App::name).findFirst().orElse("app " + id);
  }
}
