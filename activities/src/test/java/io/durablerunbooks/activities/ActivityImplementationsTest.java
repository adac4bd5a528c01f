package io.durablerunbooks.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.backup.BackupActivities;
import io.durablerunbooks.cutover.CutoverActivities;
import io.durablerunbooks.cutover.WatchActivities;
import io.durablerunbooks.deploy.DeployActivities;
import io.durablerunbooks.migrate.MigrateActivities;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.restore.RestoreActivities;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.rollout.RolloutActivities;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityImplementationsTest {

  @Test
  void allHoldsOneImplementationOfEachActivityInterface() {
    try (ActivityImplementations implementations = ActivityImplementations.create(new SecretResolver(Map.of()))) {
      Object[] all = implementations.all();

      assertThat(all).hasSize(8);
      assertThat(all[0]).isInstanceOf(BackupActivities.class).isSameAs(implementations.backup());
      assertThat(all[1]).isInstanceOf(RestoreActivities.class).isSameAs(implementations.restore());
      assertThat(all[2]).isInstanceOf(DeployActivities.class).isSameAs(implementations.deploy());
      assertThat(all[3]).isInstanceOf(RolloutActivities.class);
      assertThat(all[4]).isInstanceOf(MigrateActivities.class);
      assertThat(all[5]).isInstanceOf(CutoverActivities.class);
      assertThat(all[6]).isInstanceOf(WatchActivities.class);
      assertThat(all[7]).isInstanceOf(NotifyActivities.class).isSameAs(implementations.notifications());
    }
  }
}
