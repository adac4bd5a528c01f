package io.durablerunbooks.cutover;

/** The database an application is pointed at. */
public enum Engine {
  MYSQL("MySQL"),
  POSTGRES("PostgreSQL");

  private final String shown;

  Engine(String shown) {
    this.shown = shown;
  }

  public String shown() {
    return shown;
  }
}
