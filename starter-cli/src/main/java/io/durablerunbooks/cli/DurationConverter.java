package io.durablerunbooks.cli;

import io.durablerunbooks.definition.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line are written as in runbook files: 30s, 15m, 24h, 1h30m, PT1H. */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage() + ", got '" + value + "'");
    }
  }
}
