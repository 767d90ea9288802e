package org.backchannel.server.web;

import java.util.Optional;
import java.util.function.Supplier;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.workspace.User;

/** A signed-in person and their session's id, whose CSRF token every form carries. */
record Session(User user, String id, Supplier<Optional<String>> notices) {
  Session(User user, String id) {
    this(user, id, Optional::empty);
  }

  /** What the person should be told on the page being drawn (failed sign-ins), once. */
  String notice() {
    return notices.get().orElse(null);
  }

  String csrf() {
    return WebAccounts.csrfToken(id);
  }
}
