package io.durablerunbooks.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

  @Test
  void plainWordsStayReadable() {
    assertThat(ShellWords.join(List.of("mv", "-T", "releases/v2.1", "current"))).isEqualTo("mv -T releases/v2.1 current");
  }

  @Test
  void anythingElseIsSingleQuotedWithQuotesEscaped() {
    assertThat(ShellWords.quote("")).isEqualTo("''");
    assertThat(ShellWords.quote("a b")).isEqualTo("'a b'");
    assertThat(ShellWords.quote("x; rm -rf ~")).isEqualTo("'x; rm -rf ~'");
    assertThat(ShellWords.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(ShellWords.quote("$(id)`id`*")).isEqualTo("'$(id)`id`*'");
  }

  @Test
  void aHookGetsItsValuesAsEnvironmentNotAsScriptText() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RELEASE", "v2; rm -rf ~");
    env.put("DIR", "/srv/app");
    RemoteCommand command = RemoteCommand.script("make install PREFIX=\"$DIR\"", env, "/srv/app/releases/v2");

    assertThat(command.line())
        .isEqualTo("cd /srv/app/releases/v2 && env RELEASE='v2; rm -rf ~' DIR=/srv/app sh -c 'make install PREFIX=\"$DIR\"'");
  }

  @Test
  void aVariableNameThatIsNotOneIsRefused() {
    assertThatThrownBy(() -> RemoteCommand.script("true", Map.of("A=B; x", "1"), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an environment variable name");
  }
}
