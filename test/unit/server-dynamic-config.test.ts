/** One file of dynamic settings, given to the dev server as flags and to the cluster and compose as a file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dynamicConfig, dynamicConfigFlags } from '../../devenv/server-dynamic-config';

test("the dev server's flags carry every setting of the file, values as JSON", () => {
  const settings = dynamicConfig();
  assert.equal(settings['history.maximumBufferedEventsBatch']?.[0]?.value, 1000);
  assert.deepEqual(dynamicConfigFlags(), [
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'history.maximumBufferedEventsBatch=1000',
  ]);
  for (const [key, values] of Object.entries(settings)) {
    assert.equal(values.length, 1, `${key}: one value (the dev server's flags take no constraints)`);
    assert.equal(values[0]!.constraints, undefined, `${key}: no constraints`);
  }
});
