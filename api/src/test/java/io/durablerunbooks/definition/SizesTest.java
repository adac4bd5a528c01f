package io.durablerunbooks.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

  @ParameterizedTest
  @CsvSource({
    "1048576, 1048576",
    "512B, 512",
    "16MiB, 16777216",
    "16 MiB, 16777216",
    "16mib, 16777216",
    "64MB, 64000000",
    "2KiB, 2048",
    "3kb, 3000",
    "1GiB, 1073741824",
    "5GB, 5000000000",
    "1TiB, 1099511627776",
    "0, 0"
  })
  void parsesBinaryAndDecimalUnits(String text, long bytes) {
    assertThat(Sizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MiB", "16 megs", "1.5GiB", "-1MiB", "16M", "sixteen"})
  void refusesWhatIsNotASize(String text) {
    assertThatThrownBy(() -> Sizes.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a size like 16MiB, 64MB or 1048576");
  }

  @ParameterizedTest
  @ValueSource(strings = {"9999999TiB", "99999999999999999999"})
  void refusesSizesThatOverflow(String text) {
    assertThatThrownBy(() -> Sizes.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below 8EiB");
  }
}
