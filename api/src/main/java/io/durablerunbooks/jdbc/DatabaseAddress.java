package io.durablerunbooks.jdbc;

/** A connection record's reading of its URL: where the database is, for messages and checks. */
public interface DatabaseAddress {

  /** The URL's parts; the record has checked them when it was built. */
  JdbcUrl parts();

  default String host() {
    return parts().host();
  }

  default int port() {
    return parts().port();
  }

  default String database() {
    return parts().database();
  }
}
