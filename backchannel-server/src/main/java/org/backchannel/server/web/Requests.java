package org.backchannel.server.web;

import io.javalin.http.Context;
import org.backchannel.core.Problem;

/** Reading what a page was sent: ids in the path, numbers in the query or a form. */
final class Requests {
  private Requests() {}

  /** A path id; anything but a whole number is a page not found. */
  static long id(Context ctx, String name) {
    try {
      long value = Long.parseLong(ctx.pathParam(name));
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new Problem.NotFound(name + " " + ctx.pathParam(name));
    }
  }

  static Long optionalLong(Context ctx, String name) {
    String raw = blankToNull(ctx.queryParam(name));
    if (raw == null) {
      return null;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw Problem.Invalid.of(name, "must be a whole number");
    }
  }

  /** A required id from a form's select, named in the 400 page when missing or not a number. */
  static long formId(Context ctx, String name) {
    String raw = blankToNull(ctx.formParam(name));
    if (raw == null) {
      throw Problem.Invalid.of(name, "is required");
    }
    try {
      return Long.parseLong(raw.strip());
    } catch (NumberFormatException e) {
      throw Problem.Invalid.of(name, "must be a whole number");
    }
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Whether the page's own script sent this request (app.js marks every fetch it makes). */
  static boolean fromScript(Context ctx) {
    return "fetch".equals(ctx.header("X-Requested-With"));
  }
}
