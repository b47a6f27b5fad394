import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** What the harness workflow reports. */
export interface HarnessState {
  label: string;
  proceeded: boolean;
}

/** Reads the harness state. */
export const harnessStateQuery = defineQuery<HarnessState>('harnessState');
/** Lets the harness workflow finish. */
export const proceedSignal = defineSignal('proceed');
/** Renames the harness; the validator refuses an empty or over-long label. */
export const setLabelUpdate = defineUpdate<HarnessState, [string]>('setLabel');
