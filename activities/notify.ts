import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../schema/failures';
import { notificationSchema, type Notification } from '../schema/notification';
import { parseInput } from './parse-input';

/**
 * Builds the `notify` activity: POSTs a notification as JSON. A receiver that is down or busy
 * (a network error, 408, 429, 5xx) is retried by Temporal; one that refuses the message (another
 * 4xx) will refuse it again, so that is final.
 */
export function makeNotify(deps: { url: string; timeoutMs?: number }): (input: Notification) => Promise<void> {
  return async function notify(raw: Notification): Promise<void> {
    const body = JSON.stringify(parseInput(notificationSchema, raw, 'notify'));
    let response: Response;
    try {
      response = await fetch(deps.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw ApplicationFailure.retryable(
        `the notification receiver did not answer: ${(err as Error).message}`,
        FailureType.NotifyFailed
      );
    }
    await response.body?.cancel();
    if (response.ok) return;
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    throw ApplicationFailure.create({
      type: FailureType.NotifyFailed,
      nonRetryable: !retryable,
      message: `the notification receiver answered HTTP ${response.status}${retryable ? '' : '; check SCENEGATE_NOTIFY_URL'}`,
    });
  };
}
