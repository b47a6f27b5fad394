import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { harnessStateQuery, proceedSignal, setLabelUpdate, type HarnessState } from './harness-messages';

/**
 * A tiny workflow that exercises what every scenegate deployment needs from Temporal:
 * signals, queries, validated updates and cancellation. test/integration/harness.test.ts runs
 * it to prove the server and a worker work end to end before the generation tests do.
 */
export async function harnessWorkflow(label: string): Promise<HarnessState> {
  const state: HarnessState = { label, proceeded: false };
  setHandler(harnessStateQuery, () => state);
  setHandler(proceedSignal, () => {
    state.proceeded = true;
  });
  setHandler(
    setLabelUpdate,
    (next) => {
      state.label = next;
      return state;
    },
    {
      validator: (next) => {
        if (typeof next !== 'string' || next.trim() === '' || next.length > 80) {
          throw ApplicationFailure.nonRetryable('label must be 1 to 80 characters', 'InvalidLabel');
        }
      },
    }
  );
  await condition(() => state.proceeded);
  return state;
}
