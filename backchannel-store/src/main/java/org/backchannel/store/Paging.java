package org.backchannel.store;

import org.backchannel.core.PageRequest;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/** The one way lists are paged: by id, with the page's cursor, order and limit + 1. */
final class Paging {
  private Paging() {}

  /**
   * Appends the page's cursor, order and limit to a query whose WHERE clause is already open: ids
   * below {@code before} newest first, ids above {@code after} oldest first, or the newest; one
   * more row than the limit, to tell whether another page follows.
   */
  static Query paged(Handle h, String sqlWithWhere, PageRequest page) {
    String sql;
    if (page.after() != null) {
      sql = sqlWithWhere + " AND id > :cursor ORDER BY id ASC LIMIT :limit";
    } else if (page.before() != null) {
      sql = sqlWithWhere + " AND id < :cursor ORDER BY id DESC LIMIT :limit";
    } else {
      sql = sqlWithWhere + " ORDER BY id DESC LIMIT :limit";
    }
    Query query = h.createQuery(sql).bind("limit", page.limit() + 1);
    Long cursor = page.after() != null ? page.after() : page.before();
    if (cursor != null) {
      query.bind("cursor", cursor);
    }
    return query;
  }
}
