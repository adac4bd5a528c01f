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
    "0s, PT0S",
    "100ms, PT0.1S",
    "1s500ms, PT1.5S",
    "1m5ms, PT1M0.005S"
  })
  void parsesShorthandAndIso(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "3600", "1 hour", "1H", "h", "1h 30m", "1.5h", "PT", "soon", "ms", "5sm", "1MS"})
  void refusesWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a duration like 30s, 15m, 1h, 2d or PT1H");
  }

  @ParameterizedTest
  @CsvSource({"1h30m, 1h30m", "2d, 2d", "PT0.15S, 150ms", "PT1M0.005S, 1m5ms", "PT0S, 0s", "PT0.0001S, PT0.0001S"})
  void formatsAsAFileWouldWriteIt(String text, String formatted) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(formatted);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT-1H", "-PT5M"})
  void refusesNegativeDurations(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not negative");
  }
}
