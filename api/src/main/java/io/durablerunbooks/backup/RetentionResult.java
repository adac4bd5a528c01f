package io.durablerunbooks.backup;

import java.util.List;

public record RetentionResult(List<String> kept, List<String> deleted) {

  public RetentionResult {
    kept = List.copyOf(kept);
    deleted = List.copyOf(deleted);
  }
}
