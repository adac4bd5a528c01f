package io.durablerunbooks.approval;

public enum Verdict {
  GO,
  NO_GO
}
