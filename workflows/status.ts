import type { GenerationStatus } from '../schema/progress';
import type { GenerationRun } from './generation-run';

const usd = (value: number): string => `$${value.toFixed(2)}`;

/**
 * The generation's status, what it waits for (a sentence naming the message that unblocks
 * it) and the markdown the Web UI shows as its current details.
 */
export function describeState(
  run: GenerationRun,
  inFlight: number
): { status: GenerationStatus; waitingFor: string | null; details: string } {
  const progress = run.progress();
  const opsScenes = progress.scenes.filter((s) => s.status === 'awaiting_ops');
  let status: GenerationStatus;
  let waitingFor: string | null = null;
  if (run.stop) {
    status = run.status;
    waitingFor = `stopping (${run.stop.message}); ${inFlight} scene(s) still being cancelled`;
  } else if (run.status === 'preparing' && !run.prepared) {
    status = 'preparing';
  } else if (run.gateWaiting.size > 0) {
    status = 'awaiting_approval';
    waitingFor = `a person to approve or reject gate scene ${[...run.gateWaiting].join(', ')}: update approveGate {note?} or rejectGate {reason}`;
  } else if (run.budgetBlocked.size > 0) {
    status = 'awaiting_budget';
    const { availableUsd, limitUsd } = run.ledger;
    const needs = [...run.budgetBlocked].map((id) => `${id} needs ${usd(run.estimateFor(id))}`).join(', ');
    waitingFor = `money: ${needs}; ${usd(Math.max(0, availableUsd))} of ${usd(limitUsd)} left. Signal raiseBudget {amountUsd} or setBudget {limitUsd}`;
  } else if (opsScenes.length > 0) {
    status = 'awaiting_ops';
    const list = opsScenes.map((s) => `${s.id} (${s.lastError ?? 'failed'})`).join('; ');
    waitingFor = `an operator for failed scene ${list}: update retryScene {sceneId, overrides?}, skipScene {sceneId} or abort {reason}`;
  } else if (run.status === 'assembling') {
    status = 'assembling';
  } else if (run.gateStatus === 'running') {
    status = 'gating';
  } else {
    status = run.prepared ? 'generating' : 'preparing';
  }

  const { totals, budget } = progress;
  const rows = progress.scenes.map(
    (s) =>
      `| ${s.index}. ${s.id}${s.isGateScene ? ' (gate)' : ''} | ${s.status} | ${s.attempts} | ${usd(s.costUsd)} | ${s.score ?? ''} |`
  );
  const details = [
    `**${status}**: ${totals.done}/${totals.scenes} scenes done (${totals.percent}%), ${usd(budget.spentUsd)} spent of ${usd(budget.limitUsd)}${progress.etaSec !== null && totals.done < totals.scenes ? `, about ${progress.etaSec}s left` : ''}`,
    waitingFor ? `\n**Waiting for** ${waitingFor}` : '',
    '',
    '| scene | status | attempts | cost | score |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  return { status, waitingFor, details };
}
