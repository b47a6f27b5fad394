import type { Notification } from '../../schema/notification';
import type { Progress, Wait } from '../../schema/progress';

const asks: Record<Wait['kind'], string> = {
  approval: 'a gate decision on',
  budget: 'money for',
  operator: 'an operator for',
  drift: 'a decision on drifted scene',
  storyboard: 'the storyboard release of the keyframes of',
};

/**
 * Text as Slack shows it literally: `&`, `<` and `>` escaped as Slack asks, so an abort reason
 * such as `<!channel>` or `<https://evil|the console>` pings no one and links nowhere.
 */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function notification(p: Progress, event: Notification['event'], reason: string | null): Notification {
  const link = p.consoleUrl ? ` <${p.consoleUrl}|open in the console>` : '';
  const money = `$${p.budget.spentUsd.toFixed(2)} of $${p.budget.limitUsd.toFixed(2)}`;
  const text =
    event === 'waiting'
      ? `scenegate: ${slackEscape(p.generationId)} waits for ${p.waitingOn.map((w) => `${asks[w.kind]} ${w.sceneIds.join(', ')}`).join('; ')} (${p.totals.done} of ${p.totals.scenes} scenes done, ${money}).${link}`
      : `scenegate: ${slackEscape(p.generationId)} ended ${p.status} (${p.totals.done} of ${p.totals.scenes} scenes, ${money})${reason ? `: ${slackEscape(reason)}` : ''}.${link}`;
  return {
    text,
    event,
    generationId: p.generationId,
    status: p.status,
    waitingOn: event === 'waiting' ? p.waitingOn : [],
    waitingFor: event === 'waiting' ? p.waitingFor : null,
    scenesDone: p.totals.done,
    scenesTotal: p.totals.scenes,
    spentUsd: p.budget.spentUsd,
    limitUsd: p.budget.limitUsd,
    consoleUrl: p.consoleUrl,
    reason,
  };
}

/**
 * When people hear about a generation: once each time it starts waiting for something a person
 * gives (a gate decision, money, an operator), again only when that wait ended and came back,
 * and once when it ends.
 */
export class NotificationRules {
  private waiting = new Set<Wait['kind']>();
  private ended = false;

  /** A message when the generation started waiting for something it did not wait for last time. */
  onProgress(p: Progress): Notification | null {
    if (this.ended) return null;
    const now = new Set(p.waitingOn.map((w) => w.kind));
    const fresh = [...now].some((kind) => !this.waiting.has(kind));
    this.waiting = now;
    return fresh ? notification(p, 'waiting', null) : null;
  }

  /** The message that it ended, once. */
  onEnd(p: Progress, reason: string | null): Notification | null {
    if (this.ended) return null;
    this.ended = true;
    return notification(p, 'ended', reason);
  }
}
