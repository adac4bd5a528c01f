package io.durablerunbooks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.postgres.PgTools.ClientTool;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgToolsTest {

  @TempDir Path dir;

  /** A stand-in for a client tool: prints the version line the real one prints. */
  private Path tool(Path binDir, String name, String version) throws Exception {
    Files.createDirectories(binDir);
    Path script = binDir.resolve(name);
    Files.writeString(script, "#!/bin/sh\necho '" + name + " (PostgreSQL) " + version + " (Debian)'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  @Test
  void prefersTheVersionedDirectoryOfTheServersMajor() throws Exception {
    Path lib = dir.resolve("lib");
    Path path = dir.resolve("path");
    Path matching = tool(lib.resolve("15/bin"), "pg_dump", "15.18");
    tool(lib.resolve("17/bin"), "pg_dump", "17.2");
    tool(path, "pg_dump", "16.1");

    ClientTool found = new PgTools(lib, path.toString()).forServer("pg_dump", 15);

    assertThat(found).isEqualTo(new ClientTool("pg_dump", matching, "15.18", 15));
    assertThat(found.describe()).isEqualTo("pg_dump 15.18");
  }

  @Test
  void fallsBackToPathThenToANewerInstalledVersion() throws Exception {
    Path lib = dir.resolve("lib");
    Path path = dir.resolve("path");
    Path newer = tool(lib.resolve("17/bin"), "pg_restore", "17.2");
    Path onPath = tool(path, "pg_restore", "16.4");

    assertThat(new PgTools(lib, path.toString()).forServer("pg_restore", 14).path()).isEqualTo(onPath);
    assertThat(new PgTools(lib, path.toString()).forServer("pg_restore", 17).path()).isEqualTo(newer);
  }

  @Test
  void aToolOlderThanTheServerIsRefusedWithTheFix() throws Exception {
    Path path = dir.resolve("path");
    tool(path, "pg_dump", "13.9");

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> new PgTools(dir.resolve("lib"), path.toString()).forServer("pg_dump", 15));

    assertThat(failure.getType()).isEqualTo(FailureTypes.TOOL_TOO_OLD);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("pg_dump 13.9").contains("postgresql-client-15");
  }

  @Test
  void aMissingToolIsNamedWithTheFix() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> new PgTools(dir.resolve("lib"), dir.resolve("empty").toString()).forServer("pg_dump", 15));

    assertThat(failure.getType()).isEqualTo(FailureTypes.TOOL_NOT_FOUND);
    assertThat(failure.getOriginalMessage()).startsWith("pg_dump not found on the worker");
  }
}
