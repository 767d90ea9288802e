package org.backchannel.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the server logs while it is open (counting warnings and errors). */
final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** Warnings and errors so far, each counted as one line plus one per stack frame it carries. */
  synchronized int lines() {
    int lines = 0;
    for (ILoggingEvent e : List.copyOf(appender.list)) {
      if (e.getLevel().isGreaterOrEqual(Level.WARN) && ours(e.getLoggerName())) {
        lines +=
            1
                + (e.getThrowableProxy() == null
                    ? 0
                    : e.getThrowableProxy().getStackTraceElementProxyArray().length + 1);
      }
    }
    return lines;
  }

  /** Everything logged so far at any level, formatted, with what it was thrown with. */
  synchronized String text() {
    StringBuilder out = new StringBuilder();
    for (ILoggingEvent e : List.copyOf(appender.list)) {
      out.append(e.getLevel()).append(' ').append(e.getFormattedMessage()).append('\n');
      for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        out.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * What the server and its HTTP layer log about requests. (Javalin's own complaints are left out:
   * in a long test run they also come from other tests' streams, cut off when their server
   * stopped.)
   */
  private static boolean ours(String logger) {
    return logger.startsWith("org.backchannel.") || logger.startsWith("org.eclipse.jetty.");
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
