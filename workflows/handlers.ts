import { ApplicationFailure, log, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { FailureType } from '../schema/failures';
import { describeIssues } from '../schema/issues';
import {
  abortSchema,
  approveGateSchema,
  approveSceneSchema,
  predictionSettledSchema,
  raiseBudgetSchema,
  redoKeyframeSchema,
  rejectGateSchema,
  releaseStoryboardSchema,
  rejectSceneSchema,
  retrySceneSchema,
  setBudgetSchema,
  skipSceneSchema,
  type UpdateOutcome,
} from '../schema/messages';
import { isUndecodable } from './payload-converter';
import type { Generation } from './rules/generation';
import {
  abortUpdate,
  approveGateUpdate,
  approveSceneUpdate,
  predictionSettledSignal,
  progressQuery,
  raiseBudgetSignal,
  redoKeyframeUpdate,
  rejectGateUpdate,
  releaseStoryboardUpdate,
  rejectSceneUpdate,
  retrySceneUpdate,
  setBudgetSignal,
  skipSceneUpdate,
} from './messages';

/** What a validator throws: the caller sees the reason, and nothing reaches history. */
function refused(reason: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.UpdateRefused, message: reason, nonRetryable: true });
}

type Checked<T> = { ok: true; data: T } | { ok: false; problem: string };

/** A payload checked against its schema; one that could not even be decoded says so. */
function check<S extends z.ZodType>(schema: S, payload: unknown): Checked<z.output<S>> {
  if (isUndecodable(payload)) return { ok: false, problem: payload.undecodablePayload };
  const result = schema.safeParse(payload);
  return result.success ? { ok: true, data: result.data } : { ok: false, problem: describeIssues(result.error) };
}

/** Parses an operator's payload; a bad one is refused before it reaches history. */
function parsed<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const checked = check(schema, payload);
  if (!checked.ok) throw refused(checked.problem);
  return checked.data;
}

/** Throws the refusal a rule gave, if any. */
function refuseIf(refusal: string | null): void {
  if (refusal) throw refused(refusal);
}

const accepted = (message: string): UpdateOutcome => ({ accepted: true, message });

/**
 * Registers the generation's query, signals and updates. Each handler calls one method of the
 * generation; each validator one of its refusal rules, so a refused update never enters history.
 * Signals cannot answer back: a bad payload is logged by the worker and ignored.
 */
export function registerHandlers(gen: Generation): void {
  setHandler(progressQuery, () => gen.progress(), {
    description: 'Per-scene status, attempts, cost and score; totals, percent and expected finish.',
  });

  const signal =
    <S extends z.ZodType>(name: string, schema: S, apply: (payload: z.output<S>) => string) =>
    (payload: unknown): void => {
      const checked = check(schema, payload);
      if (!checked.ok) return log.warn(`${name} ignored`, { problem: checked.problem });
      log.info(apply(checked.data));
    };
  setHandler(
    raiseBudgetSignal,
    signal('raiseBudget', raiseBudgetSchema, (p) => gen.operators.raiseBudget(p.amountUsd)),
    { description: 'Adds {amountUsd} to the budget limit.' }
  );
  setHandler(
    predictionSettledSignal,
    signal('predictionSettled', predictionSettledSchema, (p) => {
      gen.attempts.predictionObserved(p.key, p.prediction);
      // the id comes from outside (a webhook): quoted, a line break in it stays on this line
      return `prediction ${JSON.stringify(p.prediction.id)} of ${p.key} is ${p.prediction.status}`;
    }),
    { description: 'A prediction ended (from the webhook receiver). {key, prediction}' }
  );
  setHandler(
    setBudgetSignal,
    signal('setBudget', setBudgetSchema, (p) => gen.operators.setBudget(p.limitUsd)),
    { description: 'Sets the budget limit to {limitUsd}.' }
  );

  setHandler(
    approveGateUpdate,
    (payload) =>
      accepted(
        gen.operators.decideGate({ approved: true, text: parsed(approveGateSchema, payload).note ?? 'approved' })
      ),
    {
      validator: (payload) => {
        parsed(approveGateSchema, payload);
        refuseIf(gen.operators.refuseGateDecision());
      },
      description: 'Approves the gate scene(s) waiting for a person. {note?}',
    }
  );
  setHandler(
    rejectGateUpdate,
    (payload) =>
      accepted(gen.operators.decideGate({ approved: false, text: parsed(rejectGateSchema, payload).reason })),
    {
      validator: (payload) => {
        parsed(rejectGateSchema, payload);
        refuseIf(gen.operators.refuseGateDecision());
      },
      description: 'Rejects the gate scene(s) waiting for a person. {reason}',
    }
  );
  setHandler(
    approveSceneUpdate,
    (payload) => {
      const { sceneId, note } = parsed(approveSceneSchema, payload);
      return accepted(gen.operators.decideScene(sceneId, { approved: true, text: note ?? 'approved' }));
    },
    {
      validator: (payload) => refuseIf(gen.operators.refuseSceneDecision(parsed(approveSceneSchema, payload).sceneId)),
      description: 'Keeps the clip of a scene that drifted from its references. {sceneId, note?}',
    }
  );
  setHandler(
    rejectSceneUpdate,
    (payload) => {
      const { sceneId, reason } = parsed(rejectSceneSchema, payload);
      return accepted(gen.operators.decideScene(sceneId, { approved: false, text: reason }));
    },
    {
      validator: (payload) => refuseIf(gen.operators.refuseSceneDecision(parsed(rejectSceneSchema, payload).sceneId)),
      description: 'Has a scene that drifted from its references made again. {sceneId, reason}',
    }
  );
  setHandler(
    releaseStoryboardUpdate,
    (payload) => accepted(gen.operators.releaseStoryboard(parsed(releaseStoryboardSchema, payload).note ?? 'released')),
    {
      validator: (payload) => {
        parsed(releaseStoryboardSchema, payload);
        refuseIf(gen.operators.refuseStoryboardRelease());
      },
      description: 'Animates every keyframe on the storyboard. {note?}',
    }
  );
  setHandler(
    redoKeyframeUpdate,
    (payload) => {
      const { sceneId, reason } = parsed(redoKeyframeSchema, payload);
      return accepted(gen.operators.redoKeyframe(sceneId, reason));
    },
    {
      validator: (payload) => refuseIf(gen.operators.refuseKeyframeRedo(parsed(redoKeyframeSchema, payload).sceneId)),
      description: 'Has one keyframe on the storyboard made again, one step stronger. {sceneId, reason}',
    }
  );
  setHandler(
    retrySceneUpdate,
    (payload) => {
      const { sceneId, overrides } = parsed(retrySceneSchema, payload);
      return accepted(gen.operators.retryScene(sceneId, overrides));
    },
    {
      validator: (payload) =>
        refuseIf(gen.operators.refuseSceneAction(parsed(retrySceneSchema, payload).sceneId, 'retried')),
      description: 'Gives a failed scene new attempts. {sceneId, overrides?: {prompt, negativePrompt, strength, seed}}',
    }
  );
  setHandler(
    skipSceneUpdate,
    (payload) => accepted(gen.operators.skipScene(parsed(skipSceneSchema, payload).sceneId)),
    {
      validator: (payload) =>
        refuseIf(gen.operators.refuseSceneAction(parsed(skipSceneSchema, payload).sceneId, 'skipped')),
      description: 'Leaves a failed scene out of the video. {sceneId}',
    }
  );
  setHandler(abortUpdate, (payload) => accepted(gen.operators.abort(parsed(abortSchema, payload).reason)), {
    validator: (payload) => {
      parsed(abortSchema, payload);
      refuseIf(gen.operators.refuseAbort());
    },
    description: 'Stops the generation and cancels its predictions. {reason}',
  });
}
