package org.backchannel.core;

import java.util.List;

/**
 * One page of a list, newest first unless asked otherwise. {@code next} is the cursor for the
 * following page, or null on the last page.
 */
public record Page<T>(List<T> items, Long next) {
  public Page {
    items = List.copyOf(items);
  }
}
