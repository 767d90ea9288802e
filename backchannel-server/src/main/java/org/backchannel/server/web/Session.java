package org.backchannel.server.web;

import org.backchannel.core.web.WebAccounts;
import org.backchannel.core.workspace.User;

/** A signed-in person and their session's id, whose CSRF token every form carries. */
record Session(User user, String id) {
  String csrf() {
    return WebAccounts.csrfToken(id);
  }
}
