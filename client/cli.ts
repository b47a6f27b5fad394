/**
 * The `scenegate` command: start, watch and operate generations.
 * Exit codes: 0 ok, 1 unexpected, 2 invalid plan or arguments, 3 generation not found,
 * 4 generation failed or cancelled, 5 cannot reach Temporal.
 */
import { parseArgs } from 'node:util';
import { connectClient } from '../common/temporal-connection';
import { follow } from './follow';
import { checkBudgetChange, GenerationClient } from './generation-client';
import { loadPlanFile } from './load-plan';
import { ExitCode, runMain, UserFacingError } from '../common/run-main';
import { renderProgress } from './watch';
import { loadSettings } from '../common/settings';

const usage = `usage: scenegate <command> [options]

  generate <plan.json|plan.yaml> [--strategy sequential|batched|pool|parallel] [--concurrency N]
           [--budget USD] [--gate|--no-gate] [--id ID] [--watch]
  watch <id>                    live progress until the generation ends
  status <id> [--json]          progress once (--json: the whole progress query)
  list [--status STATUS] [--json]  generations, newest first
  result <id>                   the finished generation's video and costs
  approve <id> [--note TEXT]    approve the consistency gate
  reject <id> --reason TEXT     reject the consistency gate
  budget <id> --raise USD | --set USD
  retry-scene <id> <sceneId> [--prompt TEXT] [--strength 0..1] [--seed N]
  skip-scene <id> <sceneId>
  cancel <id>                   cancel; predictions in flight are cancelled too

Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS* or a TOML profile;
task queue: SCENEGATE_TASK_QUEUE (default scenegate).`;

const bad = (message: string): UserFacingError => new UserFacingError(`${message}\n${usage}`, ExitCode.invalidInput);

function usdArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw bad(`--${name} must be a number of US dollars, got "${value}"`);
  return n;
}

function numberArg(
  name: string,
  value: string | undefined,
  check: (n: number) => boolean,
  expected: string
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw bad(`--${name} must be ${expected}, got "${value}"`);
  return n;
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

async function main(argv: string[]): Promise<number | void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        strategy: { type: 'string' },
        concurrency: { type: 'string' },
        budget: { type: 'string' },
        gate: { type: 'boolean' },
        'no-gate': { type: 'boolean' },
        id: { type: 'string' },
        watch: { type: 'boolean' },
        status: { type: 'string' },
        note: { type: 'string' },
        reason: { type: 'string' },
        raise: { type: 'string' },
        set: { type: 'string' },
        prompt: { type: 'string' },
        strength: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw bad((err as Error).message);
  }
  const { values: opts, positionals } = parsed;
  const [command, ...args] = positionals;
  if (opts.help || !command) {
    console.log(usage);
    return command || opts.help ? ExitCode.ok : ExitCode.invalidInput;
  }
  const needId = (): string => {
    if (!args[0]) throw bad(`${command} needs a generation id`);
    return args[0];
  };
  const generations = async (): Promise<GenerationClient> => {
    const { SCENEGATE_TASK_QUEUE } = loadSettings();
    return new GenerationClient(await connectClient(), SCENEGATE_TASK_QUEUE);
  };

  switch (command) {
    case 'generate': {
      if (!args[0]) throw bad('generate needs a plan file');
      const plan = await loadPlanFile(args[0]);
      const strategy = opts.strategy;
      if (strategy !== undefined && !['sequential', 'batched', 'pool', 'parallel'].includes(strategy)) {
        throw bad(`--strategy must be sequential, batched, pool or parallel, got "${strategy}"`);
      }
      const concurrency = numberArg(
        'concurrency',
        opts.concurrency,
        (n) => Number.isInteger(n) && n >= 1 && n <= 64,
        'a whole number from 1 to 64'
      );
      const budget = usdArg('budget', opts.budget);
      const edited = {
        ...plan,
        ...(opts.id ? { generationId: opts.id } : {}),
        strategy: {
          ...plan.strategy,
          ...(strategy ? { mode: strategy as typeof plan.strategy.mode } : {}),
          ...(concurrency ? { concurrency } : {}),
        },
        budget: { ...plan.budget, ...(budget !== undefined ? { limitUsd: budget } : {}) },
        gate: { ...plan.gate, ...(opts['no-gate'] ? { enabled: false } : opts.gate ? { enabled: true } : {}) },
      };
      const client = await generations();
      const handle = await client.start(edited);
      console.log(`generation ${handle.id} started on task queue ${client.taskQueue}`);
      if (!opts.watch) return;
      printResult(await follow(handle));
      return;
    }
    case 'watch': {
      const handle = await (await generations()).get(needId());
      printResult(await follow(handle));
      return;
    }
    case 'status': {
      const progress = await (await generations()).get(needId()).then((h) => h.progress());
      if (opts.json) printJson(progress);
      else console.log(renderProgress(progress).join('\n'));
      return;
    }
    case 'list': {
      const rows = await (await generations()).list({ status: opts.status });
      if (opts.json) return printJson(rows);
      if (rows.length === 0) console.log('no generations');
      for (const r of rows) {
        console.log(
          `${r.id}  ${r.status.padEnd(17)} ${r.done}/${r.total} scenes  $${r.costUsd.toFixed(2)}  ${r.startTime.toISOString()}`
        );
      }
      return;
    }
    case 'result': {
      const handle = await (await generations()).get(needId());
      const description = await handle.workflow.describe();
      if (description.status.name === 'RUNNING') {
        throw new UserFacingError(
          `generation ${handle.id} is still running; use "scenegate watch ${handle.id}"`,
          ExitCode.failure
        );
      }
      printResult(await follow(handle, { out: devNull }));
      return;
    }
    case 'approve':
      return say(await (await (await generations()).get(needId())).approveGate(opts.note));
    case 'reject':
      if (!opts.reason) throw bad('reject needs --reason');
      return say(await (await (await generations()).get(needId())).rejectGate(opts.reason));
    case 'budget': {
      const raise = usdArg('raise', opts.raise);
      const set = usdArg('set', opts.set);
      if ((raise === undefined) === (set === undefined))
        throw bad('budget needs exactly one of --raise USD or --set USD');
      if (raise === 0) throw bad('--raise must be more than 0 US dollars');
      // before looking the run up: a change the workflow would ignore is refused here, naming the field
      checkBudgetChange(raise !== undefined ? { amountUsd: raise } : { limitUsd: set! });
      const handle = await (await generations()).get(needId());
      if (raise !== undefined) await handle.raiseBudget(raise);
      else await handle.setBudget(set!);
      console.log(
        raise !== undefined ? `budget of ${handle.id} raised by $${raise}` : `budget of ${handle.id} set to $${set}`
      );
      return;
    }
    case 'retry-scene': {
      const id = needId();
      if (!args[1]) throw bad('retry-scene needs a scene id');
      const strength = numberArg('strength', opts.strength, (n) => n >= 0 && n <= 1, 'between 0 and 1');
      const seed = numberArg('seed', opts.seed, (n) => Number.isInteger(n) && n >= 0, 'a whole number');
      const overrides = {
        ...(opts.prompt ? { prompt: opts.prompt } : {}),
        ...(strength !== undefined ? { strength } : {}),
        ...(seed !== undefined ? { seed } : {}),
      };
      return say(
        await (
          await (await generations()).get(id)
        ).retryScene(args[1], Object.keys(overrides).length ? overrides : undefined)
      );
    }
    case 'skip-scene': {
      const id = needId();
      if (!args[1]) throw bad('skip-scene needs a scene id');
      return say(await (await (await generations()).get(id)).skipScene(args[1]));
    }
    case 'cancel': {
      const handle = await (await generations()).get(needId());
      await handle.cancel();
      console.log(`cancellation of ${handle.id} requested; its predictions in flight are being cancelled`);
      return;
    }
    default:
      throw bad(`unknown command "${command}"`);
  }
}

const devNull = { write: () => true } as unknown as NodeJS.WritableStream;

function say(outcome: { message: string }): void {
  console.log(outcome.message);
}

function printResult(result: Awaited<ReturnType<typeof follow>>): void {
  console.log(`\n${result.status === 'succeeded' ? 'done' : 'done (partial)'}: ${result.generationId}`);
  console.log(`  video          ${result.videoPath} (${result.durationSec.toFixed(1)} s)`);
  console.log(`  contact sheet  ${result.contactSheetPath}`);
  console.log(`  cost           $${result.costUsd.toFixed(2)} of $${result.limitUsd.toFixed(2)}`);
  if (result.failedScenes.length) console.log(`  failed scenes  ${result.failedScenes.join(', ')}`);
  if (result.skippedScenes.length) console.log(`  skipped scenes ${result.skippedScenes.join(', ')}`);
}

await runMain(() => main(process.argv.slice(2)));
