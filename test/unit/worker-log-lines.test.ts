import assert from 'node:assert/strict';
import { test } from 'node:test';
import { singleLineLogger } from '../../worker/runtime';

test("a production worker's log entry is one line whatever its message and fields carry", () => {
  const lines: string[] = [];
  const logger = singleLineLogger((line) => lines.push(line));
  const forged = 'approved\n2026-12-05T00:00:00.000Z [ERROR] budget raised by $1000 \u001b[2K';
  logger.info(forged, { note: 'a note\nwith a second line', scene: 's1' });
  logger.warn('plain');
  assert.equal(lines.length, 2);
  for (const line of lines) assert.equal(line.split('\n').length, 2, `one line: ${JSON.stringify(line)}`);
  assert.match(
    lines[0]!,
    /^\S+Z \[INFO\] approved\\n2026-12-05T00:00:00\.000Z \[ERROR\] budget raised by \$1000 \\u001b\[2K /
  );
  assert.match(lines[0]!, /note: 'a note\\nwith a second line'/);
  assert.match(lines[1]!, /^\S+Z \[WARN\] plain\n$/);
});
