/**
 * What a refused local reference and a failed media tool tell (issue 20, row 16): the path as the
 * plan gave it, never the worker's real paths, its reference roots, or which files exist there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { locateReference, ReferenceFileError } from '../../common/reference-file';
import { projectRoot } from '../../common/paths';
import { MediaToolError, probeMedia, runFfprobe } from '../../media/ffmpeg';

let dir: string;
let root: string;
before(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate reference errors ')));
  root = path.join(dir, 'roots');
  await fs.mkdir(path.join(root, 'folder'), { recursive: true });
  await fs.copyFile(path.join(projectRoot, 'examples', 'references', 'mara.png'), path.join(root, 'mara.png'));
  await fs.symlink('/etc/hostname', path.join(root, 'escape.png'));
  await fs.writeFile(path.join(dir, 'outside.png'), 'a file that exists outside the roots');
  await fs.writeFile(path.join(dir, 'garbage.mp4'), 'not a video');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function refusal(source: string): Promise<ReferenceFileError> {
  return locateReference(source, [root]).then(
    () => assert.fail(`${source} was found`),
    (err: unknown) => {
      assert.ok(err instanceof ReferenceFileError);
      return err;
    }
  );
}

test('missing, outside the roots, behind a symlink out, or a folder: one message naming only the given path', async () => {
  const sources = [
    path.join(root, 'missing.png'),
    'missing.png',
    path.join(dir, 'outside.png'),
    '../outside.png',
    '/etc/hostname',
    'escape.png',
    'folder',
  ];
  for (const source of sources) {
    const err = await refusal(source);
    assert.equal(
      err.message,
      `${source} is not a file under the folders this worker reads reference images from (SCENEGATE_REFERENCE_ROOTS); ` +
        'a worker on another machine cannot read your files: give an https URL, or put the image in one of its folders'
    );
    // the worker's own log still learns why
    assert.ok(err.detail.length > 0);
  }
  assert.equal(await locateReference('mara.png', [root]), path.join(root, 'mara.png'));
});

test("a media tool's failure names the file, not the worker's folders", async () => {
  const garbage = path.join(dir, 'garbage.mp4');
  const failures = [
    await runFfprobe([garbage]).then(
      () => assert.fail('ffprobe read garbage'),
      (err: unknown) => err
    ),
    await probeMedia(garbage).then(
      () => assert.fail('probed garbage'),
      (err: unknown) => err
    ),
  ];
  for (const err of failures) {
    assert.ok(err instanceof MediaToolError);
    assert.match(err.message, /garbage\.mp4/);
    assert.ok(!err.message.includes(dir), err.message);
    assert.ok(!err.message.includes(os.tmpdir()), err.message);
  }
});
