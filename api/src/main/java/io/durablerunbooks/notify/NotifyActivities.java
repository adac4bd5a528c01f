package io.durablerunbooks.notify;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface NotifyActivities {

  /** Posts a Slack-compatible JSON message. A notification never fails the runbook. */
  @ActivityMethod(name = "SendNotification")
  void notify(Notification notification);
}
