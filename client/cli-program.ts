import { Command, CommanderError, Option } from 'commander';
import { connectClient, connectionConfig, withLocalDevServer } from '../common/temporal-connection';
import { ExitCode, UserFacingError } from '../common/run-main';
import { loadSettings } from '../common/settings';
import { generationStatusSchema } from '../schema/progress';
import { follow } from './follow';
import { checkBudgetChange, GenerationClient, type GenerationHandle } from './generation-client';
import { startConsoleFromSettings } from './console/from-settings';
import { generationLinks, webUiUrl } from './generation-links';
import { listTable } from './list-table';
import { loadPlanFile } from './load-plan';
import { runModelsCheck } from './models-check';
import { resultLines } from './result-lines';
import { progressHeader, renderProgress } from './watch';
import { storageFromSettings } from '../common/storage/from-settings';

const strategies = ['sequential', 'batched', 'pool', 'parallel'] as const;

const footer = `
Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS* or a TOML profile;
task queue: SCENEGATE_TASK_QUEUE (default scenegate).

  scenegate temporal <args...>   in a checkout, runs the Temporal CLI scenegate found or built, e.g. "scenegate temporal workflow list"

Exit codes: 0 done; 1 unexpected; 2 invalid plan or arguments, or an update the workflow refused;
3 no such generation; 4 the generation failed or was cancelled; 5 Temporal cannot be reached or has
no such namespace; 6 the generation already ended, so there is nothing to act on; 130 interrupted
(Ctrl-C: a watched generation goes on).`;

const bad = (message: string): UserFacingError => new UserFacingError(message, ExitCode.invalidInput);

/** An option's value parser that refuses, in scenegate's words, what `check` does not accept. */
function numberOption(name: string, expected: string, check: (n: number) => boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !check(n))
      throw bad(`--${name} must be ${expected}, got "${value}"`);
    return n;
  };
}
const usd = (name: string): ((value: string) => number) => numberOption(name, 'a number of US dollars', (n) => n >= 0);

async function generations(): Promise<GenerationClient> {
  const { SCENEGATE_TASK_QUEUE } = loadSettings();
  return new GenerationClient(await connectClient(withLocalDevServer()), SCENEGATE_TASK_QUEUE);
}

function linkLines(id: string): string[] {
  const { connectionOptions, namespace } = connectionConfig(withLocalDevServer());
  const links = generationLinks(
    id,
    { address: connectionOptions.address ?? 'localhost:7233', namespace: namespace ?? 'default' },
    loadSettings()
  );
  return [`  console        ${links.console}`, ...(links.webUi ? [`  Web UI         ${links.webUi}`] : [])];
}

async function printResult(result: Awaited<ReturnType<typeof follow>>): Promise<void> {
  console.log(`\n${result.status === 'succeeded' ? 'done' : 'done (partial)'}: ${result.generationId}`);
  console.log((await resultLines(result, storageFromSettings(loadSettings()))).join('\n'));
}

/**
 * Follows a generation to its end, then prints its result and links (the links also when it
 * failed, to look into why). Ctrl-C leaves the generation running and says how to come back.
 */
async function watch(handle: GenerationHandle): Promise<void> {
  process.once('SIGINT', () => {
    console.error(
      `\nscenegate: stopped watching; generation ${handle.id} goes on. Watch it again with: scenegate watch ${handle.id}`
    );
    // the progress poll and the result's long poll would keep the process alive
    process.exit(ExitCode.interrupted);
  });
  // what is watched, once: the redrawn lines below name scenes only
  const first = await handle.progress().catch(() => null);
  if (first) console.log(progressHeader(first));
  try {
    await printResult(await follow(handle));
  } finally {
    console.log(linkLines(handle.id).join('\n'));
  }
}

const say = (outcome: { message: string }): void => console.log(outcome.message);
const devNull = { write: () => true } as unknown as NodeJS.WritableStream;

/**
 * The `scenegate` command line: one subcommand per operation, each accepting only its own
 * options. Parse errors throw CommanderError (see `runCli`); everything else UserFacingError.
 */
export function scenegateProgram(): Command {
  const program = new Command('scenegate')
    .description('Start, watch and operate scenegate generations.')
    .exitOverride()
    // runCli prints commander's errors as scenegate's one line
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError()
    .addHelpText('after', footer);

  const generate = program
    .command('generate')
    .description('validate a plan (JSON or YAML), check its local reference images, and start its generation')
    .argument('<plan>', 'plan file, .json or .yaml')
    .addOption(new Option('--strategy <mode>', 'how scenes are scheduled').choices(strategies))
    .option(
      '--concurrency <n>',
      'scenes at once (1 to 64)',
      numberOption('concurrency', 'a whole number from 1 to 64', (n) => Number.isInteger(n) && n >= 1 && n <= 64)
    )
    .option('--budget <usd>', 'budget limit in US dollars', usd('budget'))
    .option('--gate', 'check the first scenes against the references before the rest')
    .option('--no-gate', 'release every scene at once')
    .option('--id <id>', "generation id (the plan's generationId, or a fresh one)")
    .option('--watch', 'follow it until it ends, as `watch` does');
  // both flags set the one `gate` value, the last one winning: seen together they are a mistake to refuse
  const gateFlags = new Set<string>();
  generate.on('option:gate', () => gateFlags.add('--gate')).on('option:no-gate', () => gateFlags.add('--no-gate'));
  generate.action(
    async (
      file: string,
      opts: {
        strategy?: (typeof strategies)[number];
        concurrency?: number;
        budget?: number;
        gate?: boolean;
        id?: string;
        watch?: boolean;
      }
    ) => {
      if (gateFlags.size > 1) throw bad('--gate and --no-gate cannot be used together');
      const plan = await loadPlanFile(file);
      const edited = {
        ...plan,
        ...(opts.id ? { generationId: opts.id } : {}),
        strategy: {
          ...plan.strategy,
          ...(opts.strategy ? { mode: opts.strategy } : {}),
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        },
        budget: { ...plan.budget, ...(opts.budget !== undefined ? { limitUsd: opts.budget } : {}) },
        gate: { ...plan.gate, ...(opts.gate !== undefined ? { enabled: opts.gate } : {}) },
      };
      const client = await generations();
      const handle = await client.start(edited);
      console.log(`generation ${handle.id} started on task queue ${client.taskQueue}`);
      if (opts.watch) return watch(handle);
      console.log([`  follow it      scenegate watch ${handle.id}`, ...linkLines(handle.id)].join('\n'));
    }
  );

  program
    .command('watch')
    .description('live progress until the generation ends; Ctrl-C stops watching, not the generation')
    .argument('<id>', 'generation id')
    .action(async (id: string) => watch(await (await generations()).get(id)));

  program
    .command('status')
    .description('progress once: each scene, totals, what it waits for')
    .argument('<id>', 'generation id')
    .option('--json', 'the whole progress query as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const progress = await (await (await generations()).get(id)).progress();
      if (opts.json) return console.log(JSON.stringify(progress, null, 2));
      console.log([progressHeader(progress), ...renderProgress(progress), ...linkLines(id)].join('\n'));
    });

  program
    .command('list')
    .description('generations, newest first')
    .addOption(new Option('--status <status>', 'only those in this status').choices(generationStatusSchema.options))
    .option('--json', 'as JSON')
    .action(async (opts: { status?: string; json?: boolean }) => {
      const rows = await (await generations()).list({ status: opts.status });
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else console.log(rows.length ? listTable(rows).join('\n') : 'no generations');
    });

  program
    .command('result')
    .description("the finished generation's video, contact sheet and cost")
    .argument('<id>', 'generation id')
    .action(async (id: string) => {
      const handle = await (await generations()).get(id);
      if ((await handle.endedStatus()) === undefined) {
        throw new UserFacingError(
          `generation ${handle.id} is still running; use "scenegate watch ${handle.id}"`,
          ExitCode.failure
        );
      }
      await printResult(await follow(handle, { out: devNull }));
    });

  program
    .command('approve')
    .description('approve the consistency gate: the other scenes are released')
    .argument('<id>', 'generation id')
    .option('--note <text>', 'kept with the decision')
    .action(async (id: string, opts: { note?: string }) =>
      say(await (await (await generations()).get(id)).approveGate(opts.note))
    );

  program
    .command('reject')
    .description('reject the consistency gate; says whether a stronger attempt follows or that was the last')
    .argument('<id>', 'generation id')
    .requiredOption('--reason <text>', 'what is wrong, kept with the decision')
    .action(async (id: string, opts: { reason: string }) =>
      say(await (await (await generations()).get(id)).rejectGate(opts.reason))
    );

  program
    .command('approve-scene')
    .description('keep the clip of a scene that drifted from its references (consistency.onDrift: await-approval)')
    .argument('<id>', 'generation id')
    .argument('<sceneId>', "the scene's id in the plan")
    .option('--note <text>', 'kept with the decision')
    .action(async (id: string, sceneId: string, opts: { note?: string }) =>
      say(await (await (await generations()).get(id)).approveScene(sceneId, opts.note))
    );

  program
    .command('reject-scene')
    .description(
      'have a drifted scene made again, one step stronger, while gate.maxAttempts allows (then it is flagged)'
    )
    .argument('<id>', 'generation id')
    .argument('<sceneId>', "the scene's id in the plan")
    .requiredOption('--reason <text>', 'what is wrong, kept with the decision')
    .action(async (id: string, sceneId: string, opts: { reason: string }) =>
      say(await (await (await generations()).get(id)).rejectScene(sceneId, opts.reason))
    );

  program
    .command('release')
    .description('release the storyboard: animate every keyframe on it (keyframe.storyboard: approve)')
    .argument('<id>', 'generation id')
    .option('--note <text>', 'kept with the release')
    .action(async (id: string, opts: { note?: string }) =>
      say(await (await (await generations()).get(id)).releaseStoryboard(opts.note))
    );

  program
    .command('redo-keyframe')
    .description('have one keyframe on the storyboard made again, one step stronger, before the release')
    .argument('<id>', 'generation id')
    .argument('<sceneId>', "the scene's id in the plan")
    .requiredOption('--reason <text>', 'what is wrong, kept with the request')
    .action(async (id: string, sceneId: string, opts: { reason: string }) =>
      say(await (await (await generations()).get(id)).redoKeyframe(sceneId, opts.reason))
    );

  program
    .command('budget')
    .description('raise or set the budget limit (exactly one of --raise, --set)')
    .argument('<id>', 'generation id')
    .addOption(new Option('--raise <usd>', 'add this many US dollars').argParser(usd('raise')).conflicts('set'))
    .addOption(new Option('--set <usd>', 'make the limit this many US dollars').argParser(usd('set')))
    .action(async (id: string, opts: { raise?: number; set?: number }) => {
      const { raise, set } = opts;
      if (raise === undefined && set === undefined) throw bad('budget needs one of --raise USD or --set USD');
      if (raise === 0) throw bad('--raise must be more than 0 US dollars');
      // before looking the run up: a change the workflow would ignore is refused here, naming the field
      checkBudgetChange(raise !== undefined ? { amountUsd: raise } : { limitUsd: set! });
      const handle = await (await generations()).get(id);
      if (raise !== undefined) await handle.raiseBudget(raise);
      else await handle.setBudget(set!);
      console.log(
        raise !== undefined
          ? `budget of ${handle.id} raised by $${raise.toFixed(2)}`
          : `budget of ${handle.id} set to $${set!.toFixed(2)}`
      );
    });

  program
    .command('retry-scene')
    .description('give a failed scene new attempts, optionally changed')
    .argument('<id>', 'generation id')
    .argument('<sceneId>', "the scene's id in the plan")
    .option('--prompt <text>', 'a new prompt')
    .option(
      '--strength <0..1>',
      'reference strength',
      numberOption('strength', 'between 0 and 1', (n) => n >= 0 && n <= 1)
    )
    .option(
      '--seed <n>',
      'a new seed',
      numberOption('seed', 'a whole number', (n) => Number.isInteger(n) && n >= 0)
    )
    .action(async (id: string, sceneId: string, opts: { prompt?: string; strength?: number; seed?: number }) => {
      const overrides = {
        ...(opts.prompt ? { prompt: opts.prompt } : {}),
        ...(opts.strength !== undefined ? { strength: opts.strength } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      };
      const handle = await (await generations()).get(id);
      say(await handle.retryScene(sceneId, Object.keys(overrides).length ? overrides : undefined));
    });

  program
    .command('console')
    .description(
      'serve the review console until Ctrl-C (SCENEGATE_CONSOLE_HOST, SCENEGATE_CONSOLE_PORT; SCENEGATE_CONSOLE_TOKEN to ask for a token)'
    )
    .action(async () => {
      const settings = loadSettings();
      const env = withLocalDevServer();
      const client = await connectClient(env);
      const { connectionOptions } = connectionConfig(env);
      const uiUrl = webUiUrl({ address: connectionOptions.address ?? 'localhost:7233' }, settings);
      const server = await startConsoleFromSettings(client, settings, uiUrl ? { uiUrl } : {}).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        throw new UserFacingError(
          `port ${settings.SCENEGATE_CONSOLE_PORT} is taken (is npm run dev serving its console there?); set SCENEGATE_CONSOLE_PORT to another port, or 0 for any free one`,
          ExitCode.invalidInput
        );
      });
      console.log(
        `scenegate console at ${server.url}${settings.SCENEGATE_CONSOLE_TOKEN ? '/?token=…' : ''} (namespace ${client.options.namespace}). Press Ctrl-C to stop.`
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await client.connection.close();
    });

  program
    .command('skip-scene')
    .description('leave a failed scene out of the video')
    .argument('<id>', 'generation id')
    .argument('<sceneId>', "the scene's id in the plan")
    .action(async (id: string, sceneId: string) => say(await (await (await generations()).get(id)).skipScene(sceneId)));

  program
    .command('cancel')
    .description('cancel; predictions in flight are cancelled too, and what was made is kept')
    .argument('<id>', 'generation id')
    .action(async (id: string) => {
      const handle = await (await generations()).get(id);
      await handle.cancel();
      console.log(`cancellation of ${handle.id} requested; its predictions in flight are being cancelled`);
    });

  program
    .command('models')
    .description("the catalogue's models against Replicate's live schemas")
    .command('check')
    .description(
      "read each model's live input schema (REPLICATE_API_TOKEN, or an emulator at REPLICATE_BASE_URL) and compare it with what the catalogue sends and with catalogue/schemas; exit 1 on a difference"
    )
    .argument('[models...]', 'owner/name; default: every catalogue model with a recorded schema, and the CLIP scorer')
    .action(async (models: string[]) => runModelsCheck(models));

  // bin/scenegate.js runs `temporal` in a checkout before this parser sees it; what reaches here is
  // a compiled CLI (dist/, the container image), which has no Temporal CLI to hand the arguments to
  program
    .command('temporal', { hidden: true })
    .argument('[args...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(() => {
      throw bad(
        'scenegate temporal runs the Temporal CLI a checkout finds or builds (npx scenegate temporal …); this build has none: run the Temporal CLI (temporal …) with the same TEMPORAL_* settings'
      );
    });

  return program;
}

/**
 * Runs `scenegate` with `argv` (the arguments after the command name) and returns its exit
 * code. A command line commander refuses becomes one sentence with the invalid-input code.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = scenegateProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help, or the help commander shows on stderr when no command is given
    if (err.exitCode === 0) return ExitCode.ok;
    if (err.code === 'commander.help') return ExitCode.invalidInput;
    const command = program.commands.find((c) => c.name() === argv[0]);
    const help = command ? `scenegate ${command.name()} --help` : 'scenegate --help';
    const sentence = err.message
      .replace(/^error: /, '')
      .replace(/\n\(Did you mean (.+)\?\)/, '; did you mean $1?')
      .replace(/\.$/, '');
    throw bad(`${sentence} (see "${help}")`);
  }
}
