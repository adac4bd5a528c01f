package io.durablerunbooks.approval;

import java.time.Instant;
import java.util.List;

/** The approval gate as {@code runbook watch} shows it. */
public record GateState(String gate, boolean open, String prompt, List<String> approvers, Instant deadline) {

  public GateState {
    approvers = List.copyOf(approvers);
  }

  public static GateState closed() {
    return new GateState("", false, "", List.of(), Instant.EPOCH);
  }
}
