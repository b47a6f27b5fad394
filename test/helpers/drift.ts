import fs from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../common/paths';
import { scoreConsistency } from '../../media/consistency';
import { runFfmpeg } from '../../media/ffmpeg';
import type { PlanInput } from '../../schema/plan';
import type { Progress } from '../../schema/progress';
import { testPlan, type GenerationEnv } from './generation-env';

const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');

/** Has the emulator draw another person where Mara belongs in scene 4's first attempt (the `drift` knob). */
export function driftSceneFour(env: GenerationEnv): void {
  env.emulator.configure('scenegate/ip-adapter-video', { drift: { promptIncludes: 'scene 4:', attempts: 1 } });
}

/** `scenes` scenes of `seconds` each, scene 1 gated, the rest released together; every chosen scene checked. */
export function driftPlan(
  name: string,
  scenes: number,
  seconds: number,
  consistency: NonNullable<PlanInput['consistency']>
): PlanInput {
  const plan = testPlan(`${name}-${Date.now()}`, scenes, {
    strategy: { mode: 'parallel' },
    // the emulator's clips paste the references in and its drift pastes another picture: `local`
    // measures exactly that; the vision scorer is judged on real photographs (eval/, docs/scorers.md)
    gate: { enabled: true, threshold: 0.6, maxAttempts: 3, scorer: 'local' },
    consistency,
  });
  for (const scene of plan.scenes) scene.durationSec = seconds;
  return plan;
}

/** What the emulator billed, in whole micro-dollars as the ledger books each bill. */
export const billedUsd = (env: GenerationEnv): number =>
  env.emulator.stats().predictions.reduce((micros, p) => micros + Math.round(p.costUsd * 1e6), 0) / 1e6;

/** Each check of a scene: its verdict and what followed. */
export const checksOf = (p: Progress, sceneId: string): string[][] =>
  (p.consistency?.checks ?? []).filter((c) => c.sceneId === sceneId).map((c) => [c.verdict, c.outcome]);

/** Scores seconds [from, from + seconds) of the final video against Mara's reference with the local scorer. */
export async function scoreSegment(
  env: GenerationEnv,
  videoPath: string,
  from: number,
  seconds: number
): Promise<number> {
  const video = await env.deps.storage.localFile(videoPath);
  const segment = path.join(env.storageDir, `segment-${Date.now()}.mp4`);
  await runFfmpeg(['-y', '-ss', String(from), '-t', String(seconds), '-i', video, '-an', segment]);
  const { perReference } = await scoreConsistency({ clipPath: segment, referencePaths: [mara] });
  await fs.rm(segment, { force: true });
  return perReference[0]!.score;
}
