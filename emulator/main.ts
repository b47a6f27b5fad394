/** `npm run emulator -- [--port N] [--data-dir DIR] [--no-render] [--dress-rehearsal]`: the emulator as its own process. */
import { parseArgs } from 'node:util';
import { emulatedModels } from './models';
import { startEmulator } from '.';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    'no-render': { type: 'boolean', default: false },
    // hosted Replicate's behaviour where it differs from the emulator's conveniences (docs/emulator.md)
    'dress-rehearsal': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`emulator: --port must be a port number, got "${values.port}"`);
  process.exit(2);
}
const emulator = await startEmulator({
  port,
  dataDir: values['data-dir'],
  dressRehearsal: values['dress-rehearsal'],
  models: values['no-render'] ? Object.fromEntries(emulatedModels.map((m) => [m.id, { render: 'none' as const }])) : {},
});
console.log(
  `Replicate emulator listening at ${emulator.baseUrl} (token ${emulator.token})${emulator.dressRehearsal ? ', dress rehearsal' : ''}`
);
const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
