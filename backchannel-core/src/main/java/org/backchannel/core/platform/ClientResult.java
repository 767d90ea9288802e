package org.backchannel.core.platform;

import org.backchannel.core.delivery.Outcome;

/** What a person's client is told after using a control of an app. */
public sealed interface ClientResult {
  /**
   * The client opens {@code url}: a widget of {@code widgetType}, or the browser when that is null.
   * Nothing is sent to the app.
   */
  record Open(String url, String widgetType) implements ClientResult {}

  /** The event was queued for the app's event listener. */
  record Queued(long deliveryId) implements ClientResult {}

  /**
   * The event listener was called while the person waited; {@code text} is the answer shown to that
   * person only (a slash command's), or null.
   */
  record Answered(Outcome outcome, String text, long deliveryId) implements ClientResult {}
}
