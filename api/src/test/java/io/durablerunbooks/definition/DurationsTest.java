package io.durablerunbooks.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "30s, PT30S",
    "15m, PT15M",
    "1h, PT1H",
    "2d, PT48H",
    "1h30m, PT1H30M",
    "1d2h3m4s, PT26H3M4S",
    "PT1H, PT1H",
    "pt90m, PT1H30M",
    "P1D, PT24H",
    "P1DT2H, PT26H",
    "0s, PT0S"
  })
  void parsesShorthandAndIso(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "3600", "1 hour", "1H", "h", "1h 30m", "1.5h", "PT", "soon"})
  void refusesWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a duration like 30s, 15m, 1h, 2d or PT1H");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT-1H", "-PT5M"})
  void refusesNegativeDurations(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not negative");
  }
}
