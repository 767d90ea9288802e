package org.backchannel.core.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.backchannel.core.Json;
import org.backchannel.core.Validation;
import org.backchannel.core.threads.ThreadJson;

/**
 * The JSON forms of controls, client actions and attachments (Flock's field names): read from what
 * developers and apps send, with every broken rule collected, and written for storage and views.
 */
public final class PlatformJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final int MAX_CONTROLS = 50;
  static final int MAX_ATTACHMENTS = 10;
  static final int MAX_BUTTONS = 10;

  private PlatformJson() {}

  // ---- controls and actions

  static List<Control> controls(JsonNode node, Validation v) {
    List<Control> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray() || node.size() > MAX_CONTROLS) {
      v.add("controls", "must be an array of at most " + MAX_CONTROLS + " controls");
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "controls[" + i + "]";
      JsonNode c = node.get(i);
      if (!c.isObject()) {
        v.add(at, "must be an object");
        continue;
      }
      String kindName = text(c, "type", at, v);
      Control.Kind kind = Control.Kind.of(kindName);
      if (kind == null) {
        v.add(
            at + ".type",
            "must be one of slashCommand, chatTabButton, appLauncherButton,"
                + " attachmentPickerButton, widget");
        continue;
      }
      String name = text(c, "name", at, v);
      if (kind == Control.Kind.SLASH_COMMAND
          && (name == null || !name.matches("[a-z0-9_-]{1,32}"))) {
        v.add(at + ".name", "must be the command word: 1 to 32 of a-z, 0-9, '_' or '-'");
      } else if (v.required(at + ".name", name)) {
        v.maxLength(at + ".name", name, 64);
      }
      if (!seen.add(kind.button() ? kind.wire() : kind.wire() + ":" + name)) {
        v.add(at, "duplicates another " + kind.wire() + (kind.button() ? "" : " named " + name));
      }
      ClientAction action = action(c.get("action"), at + ".action", v);
      out.add(new Control(kind, name, action));
    }
    return out;
  }

  static ClientAction action(JsonNode node, String at, Validation v) {
    if (node == null || node.isNull()) {
      return ClientAction.SEND_EVENT;
    }
    if (!node.isObject()) {
      v.add(at, "must be an object");
      return ClientAction.SEND_EVENT;
    }
    String typeName = text(node, "type", at, v);
    ClientAction.Type type = ClientAction.Type.of(typeName == null ? "sendEvent" : typeName);
    if (type == null) {
      v.add(at + ".type", "must be one of sendEvent, openWidget, openBrowser");
      return ClientAction.SEND_EVENT;
    }
    if (type == ClientAction.Type.SEND_EVENT) {
      return ClientAction.SEND_EVENT;
    }
    String url = text(node, "url", at, v);
    if (v.required(at + ".url", url)) {
      v.httpUrl(at + ".url", url);
      v.maxLength(at + ".url", url, 2000);
    }
    String desktop = null;
    String mobile = null;
    if (type == ClientAction.Type.OPEN_WIDGET) {
      desktop = text(node, "desktopType", at, v);
      mobile = text(node, "mobileType", at, v);
      if (v.required(at + ".desktopType", desktop)) {
        widgetType(at + ".desktopType", desktop, v);
      }
      if (mobile != null) {
        widgetType(at + ".mobileType", mobile, v);
      }
    }
    JsonNode context = node.get("sendContext");
    if (context != null && !context.isNull() && !context.isBoolean()) {
      v.add(at + ".sendContext", "must be true or false");
    }
    boolean sendContext =
        type == ClientAction.Type.OPEN_WIDGET || context != null && context.asBoolean(false);
    return new ClientAction(type, url, desktop, mobile, sendContext);
  }

  private static void widgetType(String field, String value, Validation v) {
    if (!Set.of("modal", "sidebar", "attachment").contains(value)) {
      v.add(field, "must be one of modal, sidebar, attachment");
    }
  }

  public static ObjectNode write(ClientAction a) {
    ObjectNode node = F.objectNode().put("type", a.type().wire());
    if (a.type() == ClientAction.Type.SEND_EVENT) {
      return node;
    }
    node.put("url", a.url());
    if (a.type() == ClientAction.Type.OPEN_WIDGET) {
      node.put("desktopType", a.desktopType());
      if (a.mobileType() != null) {
        node.put("mobileType", a.mobileType());
      }
    } else {
      node.put("sendContext", a.sendContext());
    }
    return node;
  }

  public static ArrayNode writeControls(List<Control> controls) {
    ArrayNode array = F.arrayNode();
    for (Control c : controls) {
      ObjectNode node = array.addObject().put("type", c.kind().wire()).put("name", c.name());
      node.set("action", write(c.action()));
    }
    return array;
  }

  public static List<Control> readControls(String json) {
    return stored(json, PlatformJson::controls);
  }

  // ---- attachments

  /**
   * Attachments an app sent, made by {@code appId}; null reads stored ones, which name their app
   * (an app's own {@code appId} member is never trusted).
   */
  static List<Attachment> attachments(JsonNode node, String at, Long appId, Validation v) {
    List<Attachment> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray() || node.size() > MAX_ATTACHMENTS) {
      v.add(at, "must be an array of at most " + MAX_ATTACHMENTS + " attachments");
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode a = node.get(i);
      long owner = appId != null ? appId : a.path("appId").asLong();
      out.add(attachment(a, at + "[" + i + "]", owner, v));
    }
    return out;
  }

  static Attachment attachment(JsonNode node, String at, long appId, Validation v) {
    if (node == null || !node.isObject()) {
      v.add(at, "must be an object");
      return null;
    }
    String title = text(node, "title", at, v);
    v.maxLength(at + ".title", title, 200);
    String description = text(node, "description", at, v);
    v.maxLength(at + ".description", description, 2000);
    Attachment.Widget widget = null;
    String flockml = null;
    JsonNode views = node.get("views");
    if (views != null && !views.isNull()) {
      if (!views.isObject()) {
        v.add(at + ".views", "must be an object");
      } else {
        widget = widget(views.get("widget"), at + ".views.widget", v);
        String raw = text(views, "flockml", at + ".views", v);
        v.maxLength(at + ".views.flockml", raw, 10_000);
        flockml = raw == null ? null : FlockMl.sanitise(raw);
      }
    }
    List<Attachment.Button> buttons = new ArrayList<>();
    JsonNode b = node.get("buttons");
    if (b != null && !b.isNull()) {
      if (!b.isArray() || b.size() > MAX_BUTTONS) {
        v.add(at + ".buttons", "must be an array of at most " + MAX_BUTTONS + " buttons");
      } else {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < b.size(); i++) {
          String bat = at + ".buttons[" + i + "]";
          JsonNode button = b.get(i);
          if (!button.isObject()) {
            v.add(bat, "must be an object");
            continue;
          }
          String name = text(button, "name", bat, v);
          if (v.required(bat + ".name", name)) {
            v.maxLength(bat + ".name", name, 64);
          }
          String id = text(button, "id", bat, v);
          id = id == null ? Integer.toString(i) : id;
          if (!id.matches("[A-Za-z0-9._:-]{1,64}") || !ids.add(id)) {
            v.add(
                bat + ".id",
                "must be unique in the attachment: 1 to 64 of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
          }
          buttons.add(
              new Attachment.Button(id, name, action(button.get("action"), bat + ".action", v)));
        }
      }
    }
    return new Attachment(appId, title, description, widget, flockml, buttons);
  }

  private static Attachment.Widget widget(JsonNode node, String at, Validation v) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      v.add(at, "must be an object with src, width and height");
      return null;
    }
    String src = text(node, "src", at, v);
    if (v.required(at + ".src", src)) {
      v.httpUrl(at + ".src", src);
    }
    int width = size(node, "width", at, v);
    int height = size(node, "height", at, v);
    return new Attachment.Widget(src, width, height);
  }

  private static int size(JsonNode node, String field, String at, Validation v) {
    JsonNode n = node.get(field);
    if (n == null || !n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > 4000) {
      v.add(at + "." + field, "must be a whole number of pixels from 1 to 4000");
      return 0;
    }
    return n.asInt();
  }

  public static ObjectNode write(Attachment a) {
    ObjectNode node = F.objectNode().put("appId", a.appId());
    if (a.title() != null) {
      node.put("title", a.title());
    }
    if (a.description() != null) {
      node.put("description", a.description());
    }
    if (a.widget() != null || a.flockml() != null) {
      ObjectNode views = node.putObject("views");
      if (a.widget() != null) {
        views
            .putObject("widget")
            .put("src", a.widget().src())
            .put("width", a.widget().width())
            .put("height", a.widget().height());
      }
      if (a.flockml() != null) {
        views.put("flockml", a.flockml());
      }
    }
    if (!a.buttons().isEmpty()) {
      ArrayNode buttons = node.putArray("buttons");
      for (Attachment.Button b : a.buttons()) {
        buttons
            .addObject()
            .put("id", b.id())
            .put("name", b.name())
            .set("action", write(b.action()));
      }
    }
    return node;
  }

  public static ArrayNode writeAttachments(List<Attachment> attachments) {
    ArrayNode array = F.arrayNode();
    attachments.forEach(a -> array.add(write(a)));
    return array;
  }

  public static List<Attachment> readAttachments(String json) {
    // Stored attachments were sanitised when they came in; sanitising again changes nothing.
    return stored(json, (node, v) -> attachments(node, "attachments", null, v));
  }

  // ---- helpers

  static String text(JsonNode node, String field, String at, Validation v) {
    return ThreadJson.text(node, field, at, v);
  }

  private interface Reader<T> {
    List<T> read(JsonNode node, Validation v);
  }

  private static <T> List<T> stored(String json, Reader<T> reader) {
    Validation v = new Validation();
    List<T> out = reader.read(Json.read(json), v);
    if (!v.ok()) {
      throw new IllegalStateException("stored platform JSON breaks its own rules: " + json);
    }
    return out;
  }
}
