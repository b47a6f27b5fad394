import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { executableTool, ToolNotExecutableError } from '../../media/ffmpeg';

test('a tool an installer shipped without its execute bit (its install script never ran) is made runnable', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-tool-'));
  try {
    const tool = path.join(dir, 'ffprobe');
    await fs.writeFile(tool, '#!/bin/sh\necho probed\n', { mode: 0o644 });
    assert.throws(
      () => execFileSync(tool),
      /EACCES/,
      'as npm 11 leaves it in a project that does not allow the script'
    );
    assert.equal(executableTool(tool, 'FFPROBE_PATH'), tool);
    assert.equal(execFileSync(tool, { encoding: 'utf8' }), 'probed\n');
  } finally {
    await fs.rm(dir, { recursive: true });
  }
});

test('a tool that cannot be made runnable is refused with what to do, naming the setting', () => {
  const missing = path.join(os.tmpdir(), 'scenegate-no-such-dir', 'ffmpeg');
  assert.throws(
    () => executableTool(missing, 'FFMPEG_PATH'),
    (err: unknown) =>
      err instanceof ToolNotExecutableError &&
      err.message.includes(missing) &&
      /chmod u\+x .*allow its package's install script, or set FFMPEG_PATH/.test(err.message)
  );
});
