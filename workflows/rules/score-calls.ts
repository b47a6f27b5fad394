import type { BudgetClaim } from './budget-admission';
import { scoreCallSpec, scoreEstimateUsd } from './call-specs';
import type { GenerationParts } from './generation-parts';
import type { PaidCall } from './paid-calls';

/** The paid calls that score a scene's latest clip with CLIP: tries within its attempt, each booked as a score. */
export class ScoreCalls {
  constructor(
    private readonly g: Pick<GenerationParts, 'scene' | 'calls' | 'prepared' | 'recordNew'>,
    private readonly referencesOf: (sceneId: string) => Parameters<typeof scoreCallSpec>[2]
  ) {}

  /** The money one try at scoring the latest attempt's clip asks for. */
  claim(id: string, tryNumber: number): BudgetClaim {
    return this.g.calls.claim(this.place(id, tryNumber), scoreEstimateUsd(this.g.prepared().scorerModel));
  }

  /** One try at scoring the latest attempt's clip with CLIP, over frames already uploaded. */
  begin(id: string, tryNumber: number, frameUrls: readonly string[]): PaidCall {
    const scorer = this.g.prepared().scorerModel;
    if (!scorer) throw new Error('a CLIP score without a CLIP scorer');
    const call = this.g.calls.open(this.place(id, tryNumber), scoreCallSpec(scorer, frameUrls, this.referencesOf(id)));
    this.g.recordNew();
    return call;
  }

  private place(id: string, tryNumber: number) {
    return { sceneId: id, attempt: this.g.scene(id).attempts, step: 'score', try: tryNumber } as const;
  }
}
