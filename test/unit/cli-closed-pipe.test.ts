import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startScenegate } from '../helpers/run-cli';

// `scenegate list | head` closes the pipe while the CLI still writes; the CLI must end quietly, as
// other command-line tools do, not with an EPIPE stack trace
test('output into a pipe its reader closed ends the command quietly', async () => {
  const run = startScenegate(['--help']);
  // closed before the child can have written anything: its first write meets a closed pipe
  run.child.stdout!.destroy();
  const { code, stderr } = await run.done;
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
