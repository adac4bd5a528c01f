package io.durablerunbooks.restore;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.activities.Sha256;
import io.durablerunbooks.activities.Streams;
import io.durablerunbooks.activities.Streams.CountingInputStream;
import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.backup.Compression;
import io.durablerunbooks.backup.CompressionStreams;
import io.durablerunbooks.backup.Manifests;
import io.durablerunbooks.postgres.PgProcess;
import io.durablerunbooks.postgres.PgTools;
import io.durablerunbooks.postgres.PgTools.ClientTool;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.postgres.ServerVersion;
import io.durablerunbooks.storage.S3Errors;
import io.durablerunbooks.storage.StorageLocation;
import io.durablerunbooks.storage.StoredObjects;
import io.durablerunbooks.storage.StoredObjects.ObjectDigest;
import io.temporal.failure.ApplicationFailure;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore steps. The target database is never written to: a backup is restored into a scratch
 * database on the same server, checked, and only then renamed into the target's place.
 */
public final class RestoreActivitiesImpl implements RestoreActivities {

  private static final Logger log = LoggerFactory.getLogger(RestoreActivitiesImpl.class);
  private static final String FIELD = "target";

  private final PostgresPools pools;
  private final PgTools tools;
  private final StoredObjects objects;
  private final Manifests manifests;

  public RestoreActivitiesImpl(PostgresPools pools, PgTools tools, StoredObjects objects, Manifests manifests) {
    this.pools = Objects.requireNonNull(pools, "pools");
    this.tools = Objects.requireNonNull(tools, "tools");
    this.objects = Objects.requireNonNull(objects, "objects");
    this.manifests = Objects.requireNonNull(manifests, "manifests");
  }

  @Override
  public BackupManifest findBackup(FindBackupRequest request) {
    StorageLocation storage = request.storage();
    String prefix = request.backupsPrefix();
    if (RestoreSpec.LATEST.equals(request.keyOrLatest())) {
      return manifests.list(storage, prefix).stream()
          .filter(BackupManifest::verified)
          .max(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::key))
          .orElseThrow(
              () -> ApplicationFailure.newNonRetryableFailure(
                  "backupKey: latest: there is no verified backup under " + storage.uri(prefix)
                      + "; run the backup runbook first, or name a backup key",
                  FailureTypes.BACKUP_NOT_FOUND));
    }
    String key = request.keyOrLatest();
    return manifests
        .read(storage, key)
        .or(() -> key.startsWith(prefix) ? Optional.empty() : manifests.read(storage, prefix + key))
        .orElseThrow(
            () -> ApplicationFailure.newNonRetryableFailure(
                "backupKey: there is no backup manifest " + BackupManifest.manifestKey(storage.uri(key))
                    + "; name a key listed under " + storage.uri(prefix) + ", or use latest",
                FailureTypes.BACKUP_NOT_FOUND));
  }

  @Override
  public String verifyBackupChecksum(ChecksumRequest request) {
    BackupManifest manifest = request.manifest();
    ObjectDigest digest = objects.sha256(request.storage(), manifest.key());
    requireManifestDigest(request.storage(), manifest, digest.bytes(), digest.sha256());
    return digest.sha256();
  }

  @Override
  public TargetInfo checkRestoreTarget(PostgresConnection target) {
    DatabaseAdmin.requireUsableName(FIELD + ".url database", target.database());
    PostgresConnection admin = target.withDatabase(DatabaseAdmin.MAINTENANCE_DATABASE);
    record State(boolean exists, int sessions) {}
    ServerVersion server = pools.withConnection(admin, FIELD, ServerVersion::of);
    State state =
        pools.withConnection(
            admin,
            FIELD,
            c -> {
              boolean exists = DatabaseAdmin.exists(c, target.database());
              return new State(exists, exists ? DatabaseAdmin.activeSessions(c, target.database()) : 0);
            });
    ClientTool pgRestore = tools.forServer("pg_restore", server.major());
    return new TargetInfo(server.version(), state.exists(), state.sessions(), pgRestore.describe());
  }

  @Override
  public RestoredDatabase restoreIntoScratch(ScratchRestoreRequest request) {
    PostgresConnection target = request.target();
    String scratch = request.scratchDatabase();
    requireDistinct(target.database(), scratch, "");
    BackupManifest manifest = request.manifest();
    StorageLocation storage = request.storage();
    Compression compression = CompressionStreams.fromManifest(manifest.compression(), manifest.key());
    PostgresConnection admin = target.withDatabase(DatabaseAdmin.MAINTENANCE_DATABASE);
    PostgresConnection scratchDb = target.withDatabase(scratch);
    ClientTool pgRestore =
        tools.forServer("pg_restore", pools.withConnection(admin, FIELD, ServerVersion::of).major());
    String source = storage.uri(manifest.key());
    long started = System.nanoTime();

    pools.withConnection(
        admin,
        FIELD,
        c -> {
          if (dropScratch(c, scratch)) {
            log.info("dropped scratch database {} left by an earlier attempt", scratch);
          }
          DatabaseAdmin.createScratch(c, scratch, target.database(), source);
          return null;
        });
    boolean restored = false;
    try {
      MessageDigest digest = Sha256.newDigest();
      long storedBytes = streamIntoPgRestore(request, compression, pgRestore, digest);
      requireManifestDigest(storage, manifest, storedBytes, Sha256.hex(digest));
      int tables = pools.withConnection(scratchDb, FIELD, RestoreActivitiesImpl::countTables);
      pools.withConnection(
          admin,
          FIELD,
          c -> {
            DatabaseAdmin.markRestored(c, scratch, target.database(), source + " (sha256 " + manifest.sha256() + ")");
            return null;
          });
      restored = true;
      long millis = (System.nanoTime() - started) / 1_000_000;
      log.info("restored {} into {} ({} tables, {} bytes) in {} ms", source, scratch, tables, storedBytes, millis);
      return new RestoredDatabase(scratch, tables, storedBytes, manifest.sha256(), millis);
    } finally {
      pools.release(scratchDb);
      if (!restored) {
        dropQuietly(admin, scratch);
      }
    }
  }

  @Override
  public SmokeResult smokeCheck(SmokeRequest request) {
    SmokeSpec smoke = request.smoke();
    if (smoke.minTables() < 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          "smoke.minTables: must be 0 or more, got " + smoke.minTables(), FailureTypes.INVALID_INPUT);
    }
    AtomicInteger checksDone = new AtomicInteger();
    long started = System.nanoTime();
    SmokeChecks.Checked checked;
    try (Heartbeat heartbeat = Heartbeat.start(checksDone::get, () -> {})) {
      checked =
          pools.withConnection(
              request.database(),
              FIELD,
              c -> new SmokeChecks(
                      c,
                      () -> {
                        checksDone.incrementAndGet();
                        heartbeat.check();
                      })
                  .run(smoke.queries()));
    } finally {
      // No idle session of ours may stay in the database the swap renames next.
      pools.release(request.database());
    }
    SmokeResult result = new SmokeResult(checked.tables(), checked.queries(), (System.nanoTime() - started) / 1_000_000);
    List<String> failures = new ArrayList<>();
    if (result.tables().size() < smoke.minTables()) {
      failures.add(
          "smoke.minTables: " + request.database().database() + " has " + result.tables().size()
              + " tables, at least " + smoke.minTables() + " expected");
    }
    for (QueryResult query : result.queries()) {
      if (!query.passed()) {
        failures.add(
            "smoke query '" + query.name() + "': got " + query.actual() + ", expected "
                + (query.expected().isEmpty() ? "at least one row" : query.expected()));
      }
    }
    if (!failures.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "smoke checks failed on " + request.database().database() + ": " + String.join("; ", failures),
          FailureTypes.SMOKE_CHECK_FAILED,
          result);
    }
    return result;
  }

  /**
   * Both renames run in one transaction: PostgreSQL allows ALTER DATABASE RENAME inside a
   * transaction block (unlike CREATE and DROP DATABASE), so either the target is replaced or nothing
   * changed, and new sessions wait on the database lock instead of seeing neither name. Ending the
   * sessions is the one part no transaction can undo: a rollback after it leaves the target as it
   * was, with its clients disconnected. Dropping the replaced database cannot be in the transaction
   * either, so it follows the commit, and a retry finishes it.
   */
  @Override
  public SwapResult swapDatabases(SwapRequest request) {
    PostgresConnection target = request.target();
    String scratch = request.scratchDatabase();
    String previous = request.previousDatabase();
    requireDistinct(target.database(), scratch, previous);
    PostgresConnection admin = target.withDatabase(DatabaseAdmin.MAINTENANCE_DATABASE);
    pools.release(target);
    pools.release(target.withDatabase(scratch));
    pools.release(target.withDatabase(previous));
    return pools.withConnection(
        admin,
        FIELD,
        c -> {
          String name = target.database();
          if (!DatabaseAdmin.exists(c, scratch)) {
            if (!DatabaseAdmin.isRestoredFrom(c, name, scratch)) {
              throw ApplicationFailure.newNonRetryableFailure(
                  "scratchDatabase: " + scratch + " does not exist and " + name
                      + " is not a restore made from it; restore into the scratch database again",
                  FailureTypes.SCRATCH_NOT_FOUND);
            }
            log.info("{} was already swapped in as {}", scratch, name);
            return finishSwap(c, request, DatabaseAdmin.exists(c, previous), 0);
          }
          requireScratch(c, scratch, "scratchDatabase");
          if (DatabaseAdmin.exists(c, previous)) {
            throw ApplicationFailure.newNonRetryableFailure(
                "previousDatabase: " + previous + " already exists; drop it or choose another name",
                FailureTypes.INVALID_INPUT);
          }
          boolean targetExists = DatabaseAdmin.exists(c, name);
          c.setAutoCommit(false);
          int terminated;
          try {
            DatabaseAdmin.execute(c, "set local lock_timeout = '10s'");
            terminated = DatabaseAdmin.terminateSessions(c, name, scratch);
            if (targetExists) {
              DatabaseAdmin.rename(c, name, previous);
            }
            DatabaseAdmin.rename(c, scratch, name);
            c.commit();
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          } finally {
            c.setAutoCommit(true);
          }
          log.info("swapped {} in as {} (previous: {}, {} sessions ended)", scratch, name, targetExists ? previous : "none", terminated);
          return finishSwap(c, request, targetExists, terminated);
        });
  }

  @Override
  public void dropScratchDatabase(PostgresConnection target, String scratchDatabase) {
    requireDistinct(target.database(), scratchDatabase, "");
    PostgresConnection admin = target.withDatabase(DatabaseAdmin.MAINTENANCE_DATABASE);
    pools.release(target.withDatabase(scratchDatabase));
    pools.withConnection(admin, FIELD, c -> dropScratch(c, scratchDatabase));
  }

  private SwapResult finishSwap(Connection c, SwapRequest request, boolean previousExists, int terminated)
      throws SQLException {
    if (previousExists && !request.keepPrevious()) {
      DatabaseAdmin.drop(c, request.previousDatabase());
    }
    boolean kept = previousExists && request.keepPrevious();
    return new SwapResult(request.target().database(), kept ? request.previousDatabase() : "", terminated);
  }

  /**
   * S3 → SHA-256 of the stored bytes → decompression → pg_restore's stdin. pg_restore reads a
   * custom-format archive from a pipe in order, so nothing touches the disk but the database.
   *
   * @return the stored bytes read
   */
  private long streamIntoPgRestore(
      ScratchRestoreRequest request,
      Compression compression,
      ClientTool pgRestore,
      MessageDigest digest) {
    StorageLocation storage = request.storage();
    String key = request.manifest().key();
    List<String> arguments =
        List.of(
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--no-password",
            "--dbname=" + PgProcess.dbnameConnectionString(request.scratchDatabase()));
    PostgresConnection scratchDb = request.target().withDatabase(request.scratchDatabase());
    try (PgProcess restore = PgProcess.start(pgRestore, arguments, scratchDb, FIELD, pools);
        CountingInputStream stored = new CountingInputStream(objects.open(storage, key));
        Heartbeat heartbeat = Heartbeat.start(stored::count, restore::close)) {
      InputStream hashed = new DigestInputStream(stored, digest);
      OutputStream stdin = restore.stdin();
      try {
        InputStream plain = CompressionStreams.decompress(compression, hashed);
        Streams.copy(plain, stdin, done -> heartbeat.check());
        // Bytes after the end of the compressed stream are still part of the stored object's hash.
        hashed.transferTo(OutputStream.nullOutputStream());
      } catch (Streams.WriteFailed e) {
        // pg_restore stopped reading; its exit status and stderr say why.
        log.debug("pg_restore closed its input early", e);
      } catch (IOException e) {
        heartbeat.check();
        throw readFailure(storage, key, e);
      }
      closeInput(stdin);
      // pg_restore builds indexes and constraints after its last read: the heartbeat goes on.
      int exit = restore.waitFor();
      heartbeat.check();
      if (exit != 0) {
        throw restore.failure(exit, FailureTypes.RESTORE_FAILED, false);
      }
      return stored.count();
    } catch (IOException e) {
      throw S3Errors.readFailed(e, storage, key);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pg_restore", e);
    }
  }

  /** A stream that does not decompress is damaged data, not a network fault. */
  private static ApplicationFailure readFailure(StorageLocation storage, String key, IOException e) {
    Throwable cause = e instanceof Streams.ReadFailed && e.getCause() != null ? e.getCause() : e;
    boolean damaged =
        cause instanceof ZipException
            || cause instanceof EOFException
            || cause.getClass().getName().startsWith("com.github.luben.zstd");
    if (damaged) {
      return ApplicationFailure.newNonRetryableFailure(
          storage.uri(key) + " does not decompress (" + cause.getMessage() + "); the backup is damaged, restore another",
          FailureTypes.CHECKSUM_MISMATCH);
    }
    return S3Errors.readFailed(cause instanceof IOException io ? io : e, storage, key);
  }

  /** Closing the pipe of a pg_restore that already exited fails; its exit status is what counts. */
  private static void closeInput(OutputStream stdin) {
    try {
      stdin.close();
    } catch (IOException e) {
      log.debug("pg_restore's input was already closed", e);
    }
  }

  private static void requireManifestDigest(StorageLocation storage, BackupManifest manifest, long bytes, String sha256) {
    if (bytes != manifest.storedBytes() || !sha256.equals(manifest.sha256())) {
      throw ApplicationFailure.newNonRetryableFailure(
          storage.uri(manifest.key()) + " has SHA-256 " + sha256 + " (" + bytes + " bytes) but its manifest records "
              + manifest.sha256() + " (" + manifest.storedBytes() + " bytes); the object was changed or damaged"
              + " after the backup, restore another backup",
          FailureTypes.CHECKSUM_MISMATCH);
    }
  }

  /** Drops {@code scratch} if it exists, refusing a database no restore created; true if dropped. */
  private static boolean dropScratch(Connection c, String scratch) throws SQLException {
    if (!DatabaseAdmin.exists(c, scratch)) {
      return false;
    }
    requireScratch(c, scratch, "scratchDatabase");
    DatabaseAdmin.drop(c, scratch);
    return true;
  }

  private static void requireScratch(Connection c, String database, String field) throws SQLException {
    if (!DatabaseAdmin.isScratch(c, database)) {
      throw ApplicationFailure.newNonRetryableFailure(
          field + ": database " + database + " exists and was not created by a restore; it is left alone. Drop it by"
              + " hand if it is not needed, or restore under another name",
          FailureTypes.NOT_A_SCRATCH_DATABASE);
    }
  }

  /** The scratch and the replaced database are never the target, nor each other. */
  private static void requireDistinct(String target, String scratch, String previous) {
    DatabaseAdmin.requireUsableName("target.url database", target);
    DatabaseAdmin.requireUsableName("scratchDatabase", scratch);
    if (scratch.equals(target)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "scratchDatabase: '" + scratch + "' is the target database itself; a restore never writes into the target",
          FailureTypes.INVALID_INPUT);
    }
    if (!previous.isEmpty()) {
      DatabaseAdmin.requireUsableName("previousDatabase", previous);
      if (previous.equals(target) || previous.equals(scratch)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "previousDatabase: '" + previous + "' must differ from the target and the scratch database",
            FailureTypes.INVALID_INPUT);
      }
    }
  }

  private static int countTables(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet row = s.executeQuery("select count(*) from (" + SmokeChecks.USER_TABLES + ") tables")) {
      row.next();
      return row.getInt(1);
    }
  }

  private void dropQuietly(PostgresConnection admin, String scratch) {
    try {
      pools.withConnection(
          admin,
          FIELD,
          c -> {
            if (DatabaseAdmin.isScratch(c, scratch)) {
              DatabaseAdmin.drop(c, scratch);
            }
            return null;
          });
    } catch (RuntimeException e) {
      // The step's own failure is the one to report; the workflow's compensation drops it again.
      log.warn("could not drop scratch database {} after a failed restore: {}", scratch, e.getMessage());
    }
  }
}
