import { z } from 'zod';
import {
  abortSchema,
  approveGateSchema,
  approveSceneSchema,
  raiseBudgetSchema,
  redoKeyframeSchema,
  rejectGateSchema,
  rejectSceneSchema,
  releaseStoryboardSchema,
  retrySceneSchema,
  setBudgetSchema,
  skipSceneSchema,
  updateOutcomeSchema,
} from './messages';
import { planSchema } from './plan';
import { generationResultSchema, progressSchema } from './progress';

type JsonSchema = Record<string, unknown>;

const draft = 'draft-2020-12';

/**
 * The JSON Schemas published in schema/*.schema.json (`npm run schema` writes them), for
 * editors and for clients in other languages (docs/other-languages.md), made from the zod
 * schemas every part of scenegate parses with. A plan is described as a person writes it
 * (defaults may be left out); progress, result and answers as the workflow returns them.
 * test/unit/json-schemas.test.ts fails when a file and its zod schema differ.
 */
export function jsonSchemas(): Record<string, JsonSchema> {
  const plan = z.toJSONSchema(planSchema, { io: 'input', target: draft });
  // an editor reads `$schema` to find this file; the client and the workflow set it aside
  // (withoutEditorSchema), so it is the one key the strict plan schema does not list
  const properties = { $schema: { type: 'string', description: 'This file, for editors' }, ...(plan.properties ?? {}) };
  return {
    'plan.schema.json': {
      ...plan,
      title: 'scenegate plan',
      description: 'The input of the generateVideo workflow: scenes, consistency groups, strategy, gate and budget.',
      properties,
    },
    'progress.schema.json': {
      ...z.toJSONSchema(progressSchema, { io: 'output', target: draft }),
      title: 'scenegate progress',
      description: 'What the progress query of a generateVideo workflow returns.',
    },
    'result.schema.json': {
      ...z.toJSONSchema(generationResultSchema, { io: 'output', target: draft }),
      title: 'scenegate result',
      description: 'What a generateVideo workflow returns when it succeeds.',
    },
    'messages.schema.json': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'scenegate messages',
      description:
        'The argument of each signal and update of a generateVideo workflow, by its name, and what every update answers (updateOutcome).',
      $defs: {
        approveGate: message(approveGateSchema),
        rejectGate: message(rejectGateSchema),
        approveScene: message(approveSceneSchema),
        rejectScene: message(rejectSceneSchema),
        releaseStoryboard: message(releaseStoryboardSchema),
        redoKeyframe: message(redoKeyframeSchema),
        retryScene: message(retrySceneSchema),
        skipScene: message(skipSceneSchema),
        abort: message(abortSchema),
        raiseBudget: message(raiseBudgetSchema),
        setBudget: message(setBudgetSchema),
        updateOutcome: withoutDialect(z.toJSONSchema(updateOutcomeSchema, { io: 'output', target: draft })),
      },
    },
  };
}

function message(schema: z.ZodType): JsonSchema {
  return withoutDialect(z.toJSONSchema(schema, { io: 'input', target: draft }));
}

/** A definition inside another schema takes the dialect of the file around it. */
function withoutDialect({ $schema: _dialect, ...schema }: JsonSchema): JsonSchema {
  return schema;
}

/** A schema file's text, as `npm run schema` writes it. */
export function jsonSchemaText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
