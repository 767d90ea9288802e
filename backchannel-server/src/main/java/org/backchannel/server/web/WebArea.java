package org.backchannel.server.web;

import io.javalin.config.RoutesConfig;

/**
 * A part of the web UI (sign-in, the workspace, chat, the dashboard…): it adds its routes, guarded
 * by the {@link Guard} it is given, and knows no other area.
 */
public interface WebArea {
  void register(RoutesConfig routes, Guard guard);
}
