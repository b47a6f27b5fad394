import { UserFacingError } from '../../common/run-main';
import { describeIssues } from '../../schema/issues';
import { raiseBudgetSchema, setBudgetSchema } from '../../schema/messages';
import type { GenerationClient } from '../generation-client';

/** What the page shows beside the form: the generation's answer, or why it refused. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

type Fields = Record<string, string | undefined>;

/** A form number: absent when left empty, NaN (refused by the schema, naming the field) when not a number. */
const numberField = (value: string | undefined): number | undefined =>
  value === undefined || value.trim() === '' ? undefined : Number(value);

const text = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/**
 * The console's actions, each the same update or signal the CLI sends. Refusals (a validator's,
 * a schema's, a closed run's) come back as results, not errors: the page shows them in place.
 */
export async function runAction(
  generations: GenerationClient,
  id: string,
  action: string,
  fields: Fields,
  sceneId?: string
): Promise<ActionResult> {
  try {
    const handle = await generations.get(id);
    switch (action) {
      case 'approve':
        return { ok: true, message: (await handle.approveGate(text(fields.note))).message };
      case 'reject': {
        const reason = text(fields.reason);
        if (!reason) return { ok: false, message: 'reason: say what is wrong with the clip' };
        return { ok: true, message: (await handle.rejectGate(reason)).message };
      }
      case 'budget': {
        // the schemas of the signals, as the CLI checks them: an empty or refused amount names its field
        if (fields.mode === 'set') {
          const parsed = setBudgetSchema.safeParse({ limitUsd: numberField(fields.limitUsd) });
          if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
          await handle.setBudget(parsed.data.limitUsd);
          return { ok: true, message: `budget limit set to $${parsed.data.limitUsd.toFixed(2)}` };
        }
        const parsed = raiseBudgetSchema.safeParse({ amountUsd: numberField(fields.amountUsd) });
        if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
        await handle.raiseBudget(parsed.data.amountUsd);
        return { ok: true, message: `budget raised by $${parsed.data.amountUsd.toFixed(2)}` };
      }
      case 'retry': {
        const prompt = text(fields.prompt);
        const strength = numberField(fields.strength);
        const overrides = { ...(prompt ? { prompt } : {}), ...(strength !== undefined ? { strength } : {}) };
        return {
          ok: true,
          message: (await handle.retryScene(sceneId!, Object.keys(overrides).length ? overrides : undefined)).message,
        };
      }
      case 'approve-scene':
        return { ok: true, message: (await handle.approveScene(sceneId!, text(fields.note))).message };
      case 'reject-scene': {
        const reason = text(fields.reason);
        if (!reason) return { ok: false, message: 'reason: say what is wrong with the clip' };
        return { ok: true, message: (await handle.rejectScene(sceneId!, reason)).message };
      }
      case 'release':
        return { ok: true, message: (await handle.releaseStoryboard(text(fields.note))).message };
      case 'redo-keyframe': {
        const reason = text(fields.reason);
        if (!reason) return { ok: false, message: 'reason: say what is wrong with the keyframe' };
        return { ok: true, message: (await handle.redoKeyframe(sceneId!, reason)).message };
      }
      case 'skip':
        return { ok: true, message: (await handle.skipScene(sceneId!)).message };
      case 'cancel':
        await handle.cancel();
        return { ok: true, message: 'cancellation requested; predictions in flight are being cancelled' };
      default:
        return { ok: false, message: `unknown action ${action}` };
    }
  } catch (err) {
    if (err instanceof UserFacingError) return { ok: false, message: err.message };
    return { ok: false, message: `refused: ${(err as Error).message}` };
  }
}
