package io.durablerunbooks.definition;

import static io.durablerunbooks.definition.RunbookFilesTest.assertOnlyError;
import static io.durablerunbooks.definition.RunbookFilesTest.errors;
import static io.durablerunbooks.definition.RunbookFilesTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.rollback.RollbackSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollbackRunbookFilesTest {

  static final String ROLLBACK =
      """
      kind: rollback
      name: shop-web-rollback
      environment: production
      approvers: [alice]
      reason: checkout returns 500 since v2.3.1
      ssh:
        user: deploy
        privateKey: "${file:/run/secrets/deploy_key}"
        knownHosts: /etc/runbooks/known_hosts
      hosts:
        - { name: web1, address: 10.0.0.11 }
        - { name: web2, address: 10.0.0.12 }
        - { name: web3, address: 10.0.0.13 }
      defaults: { root: /srv/shop, url: "http://{address}:8080" }
      hooks: { restart: "sudo systemctl reload shop", timeout: 3m }
      smoke: { health: /healthz, frontPage: / }
      """;

  @Test
  void aRollbackFileReadsWithTheDeploySectionsItShares() {
    RollbackSpec spec = (RollbackSpec) parse(ROLLBACK);

    assertThat(spec.to()).as("no release named: the newest good one").isEmpty();
    assertThat(spec.reason()).isEqualTo("checkout returns 500 since v2.3.1");
    assertThat(spec.hosts()).extracting(HostTarget::name).containsExactly("web1", "web2", "web3");
    assertThat(spec.hosts()).extracting(HostTarget::appUrl).containsExactly("http://10.0.0.11:8080", "http://10.0.0.12:8080", "http://10.0.0.13:8080");
    assertThat(spec.batchSize()).as("all hosts at once by default").isEqualTo(3);
    assertThat(spec.restart()).isEqualTo("sudo systemctl reload shop");
    assertThat(spec.hookTimeout()).isEqualTo(Duration.ofMinutes(3));
    assertThat(spec.smoke().health()).isEqualTo("/healthz");
    assertThat(spec.header().approval().required()).as("a rollback always asks for a confirmation").isTrue();
  }

  @Test
  void aNamedReleaseAndTheReasonCanBeSetAtStart() {
    RollbackSpec spec = (RollbackSpec) parse(ROLLBACK, Map.of("to", "v2.3.0", "reason", "slow search"));

    assertThat(spec.to()).isEqualTo("v2.3.0");
    assertThat(spec.reason()).isEqualTo("slow search");
  }

  @Test
  void onlyRollsBackTheHostsOfAGroup() {
    RollbackSpec spec =
        (RollbackSpec) parse(ROLLBACK.replace("{ name: web1, address: 10.0.0.11 }", "{ name: web1, address: 10.0.0.11, groups: [canary] }"),
            Map.of("only", "canary"));

    assertThat(spec.hosts()).extracting(HostTarget::name).containsExactly("web1");
    assertThat(spec.batchSize()).isEqualTo(1);
  }

  @Test
  void aReleaseNameThatIsNoDirectoryNameIsRefused() {
    assertOnlyError(errors(ROLLBACK + "to: ../v1\n"), "to", "must be letters, digits");
  }

  @Test
  void theReasonIsRequired() {
    assertOnlyError(errors(ROLLBACK.replace("reason: checkout returns 500 since v2.3.1\n", "")), "reason", "required");
  }

  @Test
  void aRollbackCannotSkipItsConfirmation() {
    assertOnlyError(errors(ROLLBACK + "approval: { required: false }\n"), "approval.required", "a rollback, which marks a release bad");
    assertOnlyError(errors(ROLLBACK.replace("approvers: [alice]\n", "")), "approvers", "needs at least one approver");
  }

  @Test
  void deployOnlyFieldsAreUnknownInARollback() {
    assertOnlyError(errors(ROLLBACK.replace("timeout: 3m", "timeout: 3m, install: make")), "hooks.install", "unknown field");
    assertOnlyError(errors(ROLLBACK + "release: v9\n"), "release", "unknown field");
  }
}
