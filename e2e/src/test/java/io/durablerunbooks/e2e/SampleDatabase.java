package io.durablerunbooks.e2e;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Databases with realistic, mixed-type content, and a content fingerprint to compare them by. */
final class SampleDatabase {

  private SampleDatabase() {}

  /** About 1 KB per customer across the tables; random, so it does not compress away. */
  static void create(String name, int customers) throws SQLException {
    drop(name);
    try (Connection c = Stack.connect("postgres"); Statement s = c.createStatement()) {
      s.execute("create database \"" + name + "\"");
    }
    try (Connection c = Stack.connect(name); Statement s = c.createStatement()) {
      s.execute(
          """
          create table customers(
            id bigserial primary key, name text not null, email text unique, balance numeric(14,2),
            active boolean not null default true, created_at timestamptz not null, profile jsonb, avatar bytea);
          create table orders(
            id bigserial primary key, customer_id bigint not null references customers(id),
            amount numeric(12,2) not null, placed_at timestamp not null, note text);
          create table "Order Items"(order_id bigint references orders(id), sku text, qty int, primary key(order_id, sku));
          create index orders_by_customer on orders(customer_id);
          """);
      s.execute(
          "insert into customers(name, email, balance, active, created_at, profile, avatar) "
              + "select md5(random()::text) || ' ' || chr(233) || chr(128512), 'c' || g || '@example.com', "
              + "round((random() * 100000)::numeric, 2), random() > 0.1, "
              + "timestamptz '2020-01-01' + random() * interval '5 years', "
              + "jsonb_build_object('tier', (random() * 3)::int, 'tags', jsonb_build_array(md5(random()::text))), "
              + "decode(md5(random()::text) || md5(random()::text), 'hex') "
              + "from generate_series(1, " + customers + ") g");
      s.execute(
          "insert into orders(customer_id, amount, placed_at, note) "
              + "select 1 + (random() * (" + customers + " - 1))::int, round((random() * 5000)::numeric, 2), "
              + "timestamp '2024-01-01' + random() * interval '600 days', "
              + "md5(random()::text) || md5(random()::text) || md5(random()::text) "
              + "from generate_series(1, " + (customers * 3) + ")");
      s.execute(
          "insert into \"Order Items\" select o.id, 'sku-' || k, (random() * 9)::int + 1 "
              + "from orders o cross join generate_series(1, 2) k where o.id % 4 = 0");
      s.execute("analyze");
    }
  }

  static void drop(String name) throws SQLException {
    try (Connection c = Stack.connect("postgres"); Statement s = c.createStatement()) {
      s.execute("drop database if exists \"" + name + "\" with (force)");
    }
  }

  static boolean exists(String name) throws SQLException {
    try (Connection c = Stack.connect("postgres");
        ResultSet r = c.createStatement().executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
      return r.next();
    }
  }

  static List<String> databasesLike(String prefix) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = Stack.connect("postgres");
        ResultSet r = c.createStatement().executeQuery("select datname from pg_database where datname like '" + prefix + "%'")) {
      while (r.next()) {
        names.add(r.getString(1));
      }
    }
    return names;
  }

  /** Per table: row count and an order-independent hash of every row's text form. */
  static Map<String, String> fingerprint(String name) throws SQLException {
    Map<String, String> tables = new TreeMap<>();
    try (Connection c = Stack.connect(name)) {
      List<String> names = new ArrayList<>();
      try (ResultSet r =
          c.createStatement()
              .executeQuery("select format('%I.%I', schemaname, tablename) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")) {
        while (r.next()) {
          names.add(r.getString(1));
        }
      }
      for (String table : names) {
        try (ResultSet r =
            c.createStatement()
                .executeQuery("select count(*), md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) from " + table + " t")) {
          r.next();
          tables.put(table, r.getLong(1) + " rows, " + r.getString(2));
        }
      }
    }
    return tables;
  }
}
