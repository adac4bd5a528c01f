package io.durablerunbooks.cutover;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunbookHeader;
import java.util.Objects;

/**
 * A validated {@code kind: rollback-cutover} runbook file: the application back from PostgreSQL
 * to MySQL, hours or days after a cutover.
 *
 * @param cutover the cutover it undoes, with its databases, tables and application; its name is
 *     the cutover runbook's, whose change log tells what PostgreSQL took since the switch
 * @param copyBack whether the rows PostgreSQL took since the switch are copied back to MySQL;
 *     when false, a rollback that would lose any refuses and lists them
 */
public record RollbackCutoverSpec(RunbookHeader header, CutoverSpec cutover, boolean copyBack) implements RunbookDefinition {

  public RollbackCutoverSpec {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(cutover, "cutover");
  }
}
