package org.backchannel.core.platform;

import java.util.Locale;

/**
 * What a person's client does when a control is used (Flock's client action): send the event to the
 * app's event listener, open a widget with the event in its URL, or open the browser, with the
 * event in the URL only when {@code sendContext} is set.
 *
 * @param url the widget or browser URL; null for {@link Type#SEND_EVENT}
 * @param desktopType the widget type on desktop: modal, sidebar or attachment (widgets only)
 * @param mobileType the widget type on ios and android; null means the desktop type
 */
public record ClientAction(
    Type type, String url, String desktopType, String mobileType, boolean sendContext) {

  public static final ClientAction SEND_EVENT =
      new ClientAction(Type.SEND_EVENT, null, null, null, false);

  /** Flock's names for the three actions. */
  public enum Type {
    SEND_EVENT("sendEvent"),
    OPEN_WIDGET("openWidget"),
    OPEN_BROWSER("openBrowser");

    private final String wire;

    Type(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** The type named {@code wire}, or null. */
    public static Type of(String wire) {
      for (Type t : values()) {
        if (t.wire.equals(wire)) {
          return t;
        }
      }
      return null;
    }
  }

  /** The widget type a client of {@code client} (desktop, ios, android) opens. */
  public String widgetType(String client) {
    if (type != Type.OPEN_WIDGET) {
      return null;
    }
    boolean mobile = !"desktop".equals(client.toLowerCase(Locale.ROOT));
    return mobile && mobileType != null ? mobileType : desktopType;
  }
}
