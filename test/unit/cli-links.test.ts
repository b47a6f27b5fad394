import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generationLinks } from '../../client/generation-links';
import { recordConsole } from '../../common/console-record';
import { recordDevServer } from '../../common/dev-server-record';

const noState = { SCENEGATE_STATE_DIR: path.join(os.tmpdir(), 'scenegate-no-such-state') };

test('the console link: SCENEGATE_CONSOLE_URL, else the console running for this checkout on whatever port, else none is guessed', async () => {
  const local = { address: 'localhost:7233', namespace: 'default' };
  assert.equal(
    generationLinks('gen-1', local, noState).console,
    'none running for this checkout (start one: scenegate console)',
    "port 8240 may be another project's console"
  );
  assert.equal(
    generationLinks('gen-1', local, { ...noState, SCENEGATE_CONSOLE_URL: 'https://review.example.com/' }).console,
    'https://review.example.com/generations/gen-1'
  );

  const state = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-links-'));
  const settings = { SCENEGATE_STATE_DIR: state };
  try {
    const forget = recordConsole(settings, { pid: process.pid, url: 'http://127.0.0.1:40123' });
    assert.equal(generationLinks('gen-1', local, settings).console, 'http://127.0.0.1:40123/generations/gen-1');
    forget();
    assert.match(
      generationLinks('gen-1', local, settings).console,
      /^none running/,
      'a stopped console forgets itself'
    );
    // a console that died without forgetting (kill -9): its process is gone, so is its link
    recordConsole(settings, { pid: 2 ** 22 + 1, url: 'http://127.0.0.1:40124' });
    assert.match(generationLinks('gen-1', local, settings).console, /^none running/);
  } finally {
    await fs.rm(state, { recursive: true });
  }
});

test('the Web UI link: TEMPORAL_UI_URL, else the dev server this checkout runs, else the default dev server UI, else none', async () => {
  const ui = (address: string, settings: Parameters<typeof generationLinks>[2]) =>
    generationLinks('gen-1', { address, namespace: 'ns' }, settings).webUi;
  assert.equal(
    ui('temporal.example.com:7233', { ...noState, TEMPORAL_UI_URL: 'https://ui.example.com' }),
    'https://ui.example.com/namespaces/ns/workflows/gen-1'
  );
  assert.equal(ui('localhost:7233', noState), 'http://localhost:8233/namespaces/ns/workflows/gen-1');
  assert.equal(ui('temporal.example.com:7233', noState), undefined);

  const state = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-links-'));
  const forget = recordDevServer(
    { SCENEGATE_STATE_DIR: state },
    { pid: process.pid, address: '127.0.0.1:7301', uiUrl: 'http://127.0.0.1:8301', dbFile: 'x.db' }
  );
  try {
    assert.equal(
      ui('localhost:7301', { SCENEGATE_STATE_DIR: state }),
      'http://127.0.0.1:8301/namespaces/ns/workflows/gen-1'
    );
    assert.equal(ui('127.0.0.1:7302', { SCENEGATE_STATE_DIR: state }), undefined);
  } finally {
    forget();
    await fs.rm(state, { recursive: true });
  }
});
