package io.durablerunbooks.backup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which backups retention keeps: the newest of each of the last {@code daily} days and of the last
 * {@code weekly} ISO weeks (UTC, counted back from {@code now}, today and this week included), the
 * protected one, the newest verified one, and anything taken after {@code now}. Within a day or a
 * week a verified backup is preferred to a newer unverified one. A backup's time is when it started,
 * which is the moment its snapshot of the database was taken.
 */
final class RetentionPlan {

  private RetentionPlan() {}

  static RetentionResult decide(
      List<BackupManifest> backups, RetentionPolicy policy, String protectedKey, Instant now) {
    List<BackupManifest> newestFirst = new ArrayList<>(backups);
    newestFirst.sort(
        Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::key).reversed());

    Set<String> keep = new HashSet<>();
    keep.add(protectedKey);
    newestFirst.stream().filter(BackupManifest::verified).findFirst().ifPresent(b -> keep.add(b.key()));
    newestFirst.stream().filter(b -> b.startedAt().isAfter(now)).forEach(b -> keep.add(b.key()));

    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    for (int i = 0; i < policy.daily(); i++) {
      LocalDate day = today.minusDays(i);
      newestIn(newestFirst, day, RetentionPlan::dayOf).ifPresent(keep::add);
    }
    for (int i = 0; i < policy.weekly(); i++) {
      String week = weekOf(today.minusWeeks(i));
      newestIn(newestFirst, week, b -> weekOf(dayOf(b))).ifPresent(keep::add);
    }

    List<String> kept = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    for (BackupManifest backup : newestFirst) {
      (keep.contains(backup.key()) ? kept : deleted).add(backup.key());
    }
    return new RetentionResult(kept, deleted);
  }

  private static <T> Optional<String> newestIn(
      List<BackupManifest> newestFirst, T period, Function<BackupManifest, T> periodOf) {
    List<BackupManifest> inPeriod = newestFirst.stream().filter(b -> period.equals(periodOf.apply(b))).toList();
    return inPeriod.stream()
        .filter(BackupManifest::verified)
        .findFirst()
        .or(() -> inPeriod.stream().findFirst())
        .map(BackupManifest::key);
  }

  private static LocalDate dayOf(BackupManifest backup) {
    return LocalDate.ofInstant(backup.startedAt(), ZoneOffset.UTC);
  }

  private static String weekOf(LocalDate day) {
    return day.get(IsoFields.WEEK_BASED_YEAR) + "-W" + day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
  }
}
