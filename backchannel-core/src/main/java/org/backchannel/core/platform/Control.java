package org.backchannel.core.platform;

/**
 * Something of an app a person can use: a slash command (named by its command word), a button in
 * the client (one of each kind), or a widget (named). Each has its {@link ClientAction}.
 */
public record Control(Kind kind, String name, ClientAction action) {
  /** The kinds of control, by their Flock names; a button's kind is its {@code button} value. */
  public enum Kind {
    SLASH_COMMAND("slashCommand"),
    CHAT_TAB_BUTTON("chatTabButton"),
    APP_LAUNCHER_BUTTON("appLauncherButton"),
    ATTACHMENT_PICKER_BUTTON("attachmentPickerButton"),
    WIDGET("widget");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public boolean button() {
      return this != SLASH_COMMAND && this != WIDGET;
    }

    /** The kind named {@code wire}, or null. */
    public static Kind of(String wire) {
      for (Kind k : values()) {
        if (k.wire.equals(wire)) {
          return k;
        }
      }
      return null;
    }
  }
}
