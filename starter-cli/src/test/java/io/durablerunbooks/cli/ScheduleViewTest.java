package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleViewTest {

  @Test
  void aCalendarReadsAsTheCronExpressionItCameFrom() {
    // How the server describes "0 3 * * *": every field spelled out as ranges.
    ScheduleCalendarSpec nightly =
        ScheduleCalendarSpec.newBuilder()
            .setSeconds(List.of(new ScheduleRange(0)))
            .setMinutes(List.of(new ScheduleRange(0)))
            .setHour(List.of(new ScheduleRange(3)))
            .setDayOfMonth(List.of(new ScheduleRange(1, 31)))
            .setMonth(List.of(new ScheduleRange(1, 12)))
            .setDayOfWeek(List.of(new ScheduleRange(0, 6)))
            .build();

    assertThat(ScheduleView.calendar(nightly)).isEqualTo("cron 0 3 * * *");
  }

  @Test
  void stepsAndWeekdayRangesAreKept() {
    ScheduleCalendarSpec weekdays =
        ScheduleCalendarSpec.newBuilder()
            .setMinutes(List.of(new ScheduleRange(0, 59, 15)))
            .setHour(List.of(new ScheduleRange(8, 18)))
            .setDayOfWeek(List.of(new ScheduleRange(1, 5)))
            .build();

    assertThat(ScheduleView.calendar(weekdays)).isEqualTo("cron */15 8-18 * * 1-5");
  }

  @Test
  void cronExpressionsAndIntervalsAreListed() {
    ScheduleSpec spec =
        ScheduleSpec.newBuilder()
            .setCronExpressions(List.of("0 3 * * *"))
            .setIntervals(List.of(new ScheduleIntervalSpec(Duration.ofHours(24))))
            .build();

    assertThat(ScheduleView.spec(spec)).containsExactly("cron 0 3 * * *", "every 24h 00m");
  }
}
