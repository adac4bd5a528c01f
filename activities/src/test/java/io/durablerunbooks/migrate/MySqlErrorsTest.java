package io.durablerunbooks.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.secrets.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class MySqlErrorsTest {

  private static final MySqlConnection DB =
      new MySqlConnection("jdbc:mariadb://127.0.0.1:13306/shop", "app", SecretRef.of("${env:SHOP_PASSWORD}"));

  @Test
  void anIllegalMixOfCollationsIsNotRetriedAsNoRetryCanMendIt() {
    ApplicationFailure failure = MySqlErrors.classify(
        new SQLException("Illegal mix of collations (latin1_swedish_ci,IMPLICIT) and (utf8mb4_general_ci,COERCIBLE) for operation '='",
            "HY000", 1267),
        DB, "source");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(MySqlErrors.charsetCannotHold(new SQLException("Illegal mix of collations", "HY000", 1271))).isTrue();
  }

  @Test
  void aLockWaitIsRetried() {
    ApplicationFailure failure = MySqlErrors.classify(new SQLException("Lock wait timeout exceeded", "HY000", 1205), DB, "source");
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(MySqlErrors.charsetCannotHold(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isFalse();
  }
}
