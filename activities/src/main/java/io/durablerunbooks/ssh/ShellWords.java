package io.durablerunbooks.ssh;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Quoting for the POSIX shell that sshd runs every command through. A quoted word reaches the
 * remote program as exactly those bytes: {@code ; rm -rf /}, quotes, {@code $(...)}, newlines and
 * globs included.
 */
public final class ShellWords {

  private ShellWords() {}

  /** One word in single quotes; a single quote inside becomes {@code '\''}. */
  public static String quote(String word) {
    if (!word.isEmpty() && word.chars().allMatch(ShellWords::plain)) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** Words joined into one command line, each quoted as needed. */
  public static String join(List<String> words) {
    return words.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
  }

  private static boolean plain(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_./=:,+@%".indexOf(c) >= 0;
  }
}
