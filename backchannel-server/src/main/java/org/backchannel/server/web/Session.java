package org.backchannel.server.web;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.workspace.User;

/** A signed-in person and their session's id, whose CSRF token every form carries. */
record Session(
    User user,
    String id,
    Supplier<Optional<String>> notices,
    Supplier<List<Attention.Disabled>> attention) {
  Session(User user, String id) {
    this(user, id, Optional::empty, List::of);
  }

  /** The disabled endpoints an admin is shown on the page being drawn; read when it is drawn. */
  List<Attention.Disabled> disabledEndpoints() {
    return attention.get();
  }

  /** What the person should be told on the page being drawn (failed sign-ins), once. */
  String notice() {
    return notices.get().orElse(null);
  }

  String csrf() {
    return WebAccounts.csrfToken(id);
  }
}
