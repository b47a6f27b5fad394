import { z } from 'zod';
import { generationStatusSchema, waitSchema } from './progress';

/**
 * What scenegate POSTs to SCENEGATE_NOTIFY_URL when a generation starts waiting for a person,
 * money or an operator, and when it ends: `text` for Slack-compatible receivers (incoming
 * webhooks show it as is), and the same facts as fields for everyone else.
 */
export const notificationSchema = z.object({
  text: z.string(),
  /** waiting: someone must act (see `waitingOn`). ended: the generation will not change again. */
  event: z.enum(['waiting', 'ended']),
  generationId: z.string(),
  status: generationStatusSchema,
  waitingOn: z.array(waitSchema),
  /** The sentence naming the message that unblocks it, while it waits. */
  waitingFor: z.string().nullable(),
  scenesDone: z.number(),
  scenesTotal: z.number(),
  spentUsd: z.number(),
  limitUsd: z.number(),
  /** The generation's page in the review console, when its worker knows one. */
  consoleUrl: z.string().nullable(),
  /** Why it ended, when it did not succeed. */
  reason: z.string().nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;
