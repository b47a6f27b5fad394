import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../client/cli-program';
import { ExitCode, UserFacingError } from '../../common/run-main';

/** Runs the CLI's parser; these command lines are refused before anything connects to Temporal. */
async function refusal(...argv: string[]): Promise<UserFacingError> {
  const err = await runCli(argv).then(
    () => assert.fail(`scenegate ${argv.join(' ')} was accepted`),
    (e: unknown) => e
  );
  assert.ok(err instanceof UserFacingError, String(err));
  return err;
}

test('each command accepts only its own options', async () => {
  const err = await refusal('status', 'some-id', '--raise', '1');
  assert.equal(err.exitCode, ExitCode.invalidInput);
  assert.equal(err.message, `unknown option '--raise' (see "scenegate status --help")`);
  assert.match((await refusal('approve', 'some-id', '--reason', 'x')).message, /unknown option '--reason'/);
  assert.match((await refusal('list', '--note', 'x')).message, /unknown option '--note'/);
});

test('--gate and --no-gate together are refused', async () => {
  const err = await refusal('generate', 'plan.json', '--gate', '--no-gate');
  assert.equal(err.exitCode, ExitCode.invalidInput);
  assert.equal(err.message, '--gate and --no-gate cannot be used together');
  assert.match((await refusal('generate', 'plan.json', '--no-gate', '--gate')).message, /cannot be used together/);
});

test('list --status names the statuses it allows', async () => {
  const err = await refusal('list', '--status', 'bogus');
  assert.equal(err.exitCode, ExitCode.invalidInput);
  assert.match(err.message, /argument 'bogus' is invalid\. Allowed choices are preparing, gating, .*, timed_out \(see/);
});

test('a missing argument, a bad number, two budget changes and a mistyped command each get one sentence', async () => {
  assert.equal(
    (await refusal('retry-scene', 'some-id')).message,
    `missing required argument 'sceneId' (see "scenegate retry-scene --help")`
  );
  assert.equal(
    (await refusal('reject', 'some-id')).message.split(' (see')[0],
    `required option '--reason <text>' not specified`
  );
  assert.equal(
    (await refusal('generate', 'plan.json', '--concurrency', '65')).message,
    '--concurrency must be a whole number from 1 to 64, got "65"'
  );
  assert.match(
    (await refusal('budget', 'some-id', '--raise', '1', '--set', '2')).message,
    /cannot be used with option '--set/
  );
  assert.equal((await refusal('budget', 'some-id')).message, 'budget needs one of --raise USD or --set USD');
  assert.equal(
    (await refusal('stauts', 'some-id')).message,
    `unknown command 'stauts'; did you mean status? (see "scenegate --help")`
  );
});

test('a compiled CLI asked for "temporal" says where the Temporal CLI is, not "unknown command"', async () => {
  const err = await refusal('temporal', 'workflow', 'list', '--limit', '5');
  assert.equal(err.exitCode, ExitCode.invalidInput);
  assert.match(
    err.message,
    /^scenegate temporal runs the Temporal CLI a checkout finds or builds .*run the Temporal CLI \(temporal …\)/
  );
});

test('--help exits 0; no command at all is invalid input', async () => {
  const captured = async (argv: string[]): Promise<{ code: number; text: string }> => {
    const chunks: string[] = [];
    const { write } = process.stdout;
    const writeErr = process.stderr.write;
    process.stdout.write = process.stderr.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof write;
    try {
      return { code: await runCli(argv), text: chunks.join('') };
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
  };
  const statusHelp = await captured(['status', '--help']);
  assert.equal(statusHelp.code, ExitCode.ok);
  assert.match(statusHelp.text, /Usage: scenegate status \[options\] <id>[\s\S]*--json/);
  const bare = await captured([]);
  assert.equal(bare.code, ExitCode.invalidInput);
  assert.match(bare.text, /Exit codes: 0 done;[\s\S]*6 the generation already ended/);
});
