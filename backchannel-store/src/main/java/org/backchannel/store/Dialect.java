package org.backchannel.store;

/** The databases the store speaks, told apart by their JDBC URL. */
enum Dialect {
  SQLITE("sqlite"),
  POSTGRESQL("postgresql");

  private final String kind;

  Dialect(String kind) {
    this.kind = kind;
  }

  String kind() {
    return kind;
  }

  static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported database URL (expected jdbc:sqlite:... or jdbc:postgresql:...): "
            + jdbcUrl.replaceAll("password=[^&]*", "password=***"));
  }
}
