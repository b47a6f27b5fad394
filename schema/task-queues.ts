/**
 * The task queue prediction creates run on, beside a generation's own: its own queue so that
 * Temporal can limit its rate for every worker together (Replicate allows 600 creates a minute
 * per token), leaving reads, downloads and workflow tasks unthrottled.
 */
export function createQueueOf(taskQueue: string): string {
  return `${taskQueue}-creates`;
}
