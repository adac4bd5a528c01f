package io.durablerunbooks.notify;

/**
 * @param webhook Slack-compatible webhook URL, or a secret reference to one (resolved on the worker)
 * @param event approval-requested, succeeded, failed, ...
 */
public record Notification(String webhook, String event, String runbook, String environment, String text) {}
