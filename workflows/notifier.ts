import { CancellationScope, condition, log } from '@temporalio/workflow';
import type { Notification } from '../schema/notification';
import type { Generation } from './rules/generation';
import { NotificationRules } from './rules/notifications';

/** How long a generation that ended waits for its last notifications before it closes anyway. */
const END_GRACE = '10s';

/**
 * Sends a generation's notifications as activities the generation never waits on: a receiver
 * that is down is retried in the background, and only the end waits a few seconds for them.
 */
export class Notifier {
  private readonly rules = new NotificationRules();
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly send: (notification: Notification) => Promise<void>) {}

  /** Notifies after every activation in which the generation started waiting for a person. */
  async follow(gen: Generation): Promise<never> {
    for (;;) {
      const seen = gen.version;
      this.post(this.rules.onProgress(gen.progress()));
      await condition(() => gen.version !== seen);
    }
  }

  /** Sends the end, then waits a little for what is still being delivered; a cancel does not cut it short. */
  end(gen: Generation, reason: string | null): Promise<void> {
    return CancellationScope.nonCancellable(async () => {
      this.post(this.rules.onEnd(gen.progress(), reason));
      await condition(() => this.sending.size === 0, END_GRACE, { summary: 'last notifications delivered' });
    });
  }

  private post(notification: Notification | null): void {
    if (!notification) return;
    const sent: Promise<void> = this.send(notification)
      .catch((err: unknown) =>
        log.warn('a notification was not delivered', { event: notification.event, error: String(err) })
      )
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }
}
