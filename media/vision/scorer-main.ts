/**
 * The `vision` scorer's own process, started by scorer-client.ts: the face and object models
 * (400-500 MB of WASM heap and tensors) live here, not in the worker, and go away with this
 * process once it has been idle SCENEGATE_VISION_IDLE_SEC. Requests come over the IPC channel
 * one at a time per message; the scorer keeps its models and reference descriptors between them.
 */
import { loadSettings } from '../../common/settings';
import type { ScorerReplyMessage, ScorerRequestMessage } from './scorer-protocol';
import { VisionUnavailableError } from './vision-packages';
import { VisionReferenceError, VisionScorer } from './vision-scorer';

const idleMs = loadSettings().SCENEGATE_VISION_IDLE_SEC * 1000;
const scorer = new VisionScorer();
let pending = 0;
let idle: NodeJS.Timeout | undefined;

function armIdle(): void {
  clearTimeout(idle);
  // exiting while a reply is in flight would lose it: the timer only runs with nothing pending
  if (pending === 0) idle = setTimeout(() => process.exit(0), idleMs);
}

function reply(message: ScorerReplyMessage): void {
  process.send?.(message);
}

process.on('message', (message: ScorerRequestMessage) => {
  pending++;
  clearTimeout(idle);
  scorer
    .score(message.request)
    .then((result) => reply({ id: message.id, result }))
    .catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      reply({
        id: message.id,
        error: {
          name: error.name,
          message: error.message,
          ...(err instanceof VisionReferenceError ? { referencePath: err.referencePath } : {}),
          ...(err instanceof VisionUnavailableError ? { packageName: err.packageName } : {}),
        },
      });
    })
    .finally(() => {
      pending--;
      armIdle();
    });
});
// the worker went away: nothing will ask again
process.on('disconnect', () => process.exit(0));
armIdle();
