import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generationLinks } from '../../client/generation-links';
import { recordDevServer } from '../../common/dev-server-record';

const noState = { SCENEGATE_STATE_DIR: path.join(os.tmpdir(), 'scenegate-no-such-state') };

test('the console link uses SCENEGATE_CONSOLE_URL, else the local console', () => {
  const local = { address: 'localhost:7233', namespace: 'default' };
  assert.equal(generationLinks('gen-1', local, noState).console, 'http://127.0.0.1:8240/generations/gen-1');
  assert.equal(
    generationLinks('gen-1', local, { ...noState, SCENEGATE_CONSOLE_URL: 'https://review.example.com/' }).console,
    'https://review.example.com/generations/gen-1'
  );
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
