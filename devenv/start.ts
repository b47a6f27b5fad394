/**
 * `npm start [-- plan.json] [--exit | --stay]`: the main job on embedded defaults. Starts (or
 * reuses) the local Temporal dev server, the Replicate emulator (or the hosted API when
 * REPLICATE_API_TOKEN is set) and a worker; runs the example plan (a six-scene product ad)
 * with a live display; prints the final MP4, the contact sheet and the run's Web UI address.
 * On a terminal it then keeps the server up for the Web UI until Ctrl-C.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack, type LocalStack } from './local-stack';
import { consolePageUrl, workflowUiUrl } from '../common/links';
import { projectRoot } from '../common/paths';
import { follow } from '../client/follow';
import { resultLines } from '../client/result-lines';
import { GenerationClient, modelsText, strategyText } from '../client/generation-client';
import { loadPlanFile, newGenerationId } from '../client/load-plan';
import { loadCatalogue } from '../common/catalogue-file';
import { ExitCode, runMain, UserFacingError } from '../common/run-main';
import { loadSettings } from '../common/settings';
import type { Plan } from '../schema/plan';
import { keyframeModels } from '../schema/plan-model-check';

const defaultPlan = path.join(projectRoot, 'examples', 'plans', 'product-ad.json');

/**
 * The models a plan's scenes run on: its own, else the catalogue's defaults where they run (as
 * the worker picks them); with keyframes first, the image model and the model that animates it.
 */
function modelsUsed(plan: Plan): string {
  const catalogue = loadCatalogue(loadSettings());
  const where = loadSettings().REPLICATE_API_TOKEN ? 'hosted' : 'emulator';
  if (plan.pipeline === 'keyframe') {
    const models = keyframeModels(plan, catalogue, where);
    if (models) return modelsText(models);
  }
  return plan.model ?? catalogue.defaults[where];
}

await runMain(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { exit: { type: 'boolean', default: false }, stay: { type: 'boolean', default: false } },
  });
  const began = Date.now();
  const planFile = positionals[0] ?? defaultPlan;
  const plan = await loadPlanFile(planFile);
  // every run is a new generation, named after its plan file
  plan.generationId = `${path.basename(planFile).replace(/\.(json|ya?ml)$/i, '')}-${newGenerationId().slice(4)}`;

  const say = (line: string): void => console.log(line);
  // a first run on a machine builds the Temporal CLI, and says so then (temporal-cli.ts)
  say('scenegate: starting the local stack...');
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stack?.stop();
  };
  const interrupted = new Promise<never>((_, reject) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () =>
        reject(new UserFacingError('stopped; the generation resumes when a worker runs again (npm run dev)', 130))
      );
    }
  });
  interrupted.catch(() => undefined);

  try {
    stack = await Promise.race([startLocalStack({ log: say }), interrupted]);
    const generations = new GenerationClient(stack.client, stack.taskQueue);
    const handle = await generations.start(plan, { baseDir: path.dirname(path.resolve(planFile)) });
    const ui = stack.temporal.uiUrl
      ? workflowUiUrl(stack.temporal.uiUrl, stack.temporal.namespace, handle.id)
      : undefined;
    say(
      `\nGeneration ${handle.id}: ${plan.scenes.length} scene${plan.scenes.length === 1 ? '' : 's'} on ${modelsUsed(plan)}, ${strategyText(plan.strategy)}, budget $${plan.budget.limitUsd.toFixed(2)}`
    );
    if (ui) say(`Web UI: ${ui}`);
    say(`Console: ${consolePageUrl(stack.console.url, handle.id)}\n`);
    const result = await Promise.race([follow(handle), interrupted]);

    say(`\nDone in ${((Date.now() - began) / 1000).toFixed(1)} s: ${result.status}`);
    for (const line of await resultLines(result, stack.storage)) say(line);
    if (ui) say(`  Web UI         ${ui}`);
    say(`  console        ${consolePageUrl(stack.console.url, handle.id)}`);
    if (stack.emulator) {
      const stats = stack.emulator.stats();
      say(
        `  emulator       ${stats.predictionsCreated} predictions, ${stats.billedSeconds.toFixed(0)} billed seconds, $${stats.costUsd.toFixed(2)}, peak ${stats.peakConcurrent} at once`
      );
    }
    const stay = values.stay || (!values.exit && process.stdin.isTTY === true && stack.temporal.owned);
    if (stay && stack.temporal.uiUrl) {
      const history = stack.temporal.dbFile ? ` (history kept in ${stack.temporal.dbFile})` : '';
      say(
        `\nThe Temporal Web UI stays up at ${stack.temporal.uiUrl}${history}, and the console at ${stack.console.url}. Press Ctrl-C to stop.`
      );
      await interrupted.catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof UserFacingError && err.exitCode === 130) {
      console.error(`\nscenegate: ${err.message}`);
      return ExitCode.ok;
    }
    throw err;
  } finally {
    await stop();
  }
  return ExitCode.ok;
});
