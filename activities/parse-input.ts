import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { FailureType } from '../schema/failures';
import { describeIssues } from '../schema/issues';

/**
 * Parses an activity's input: a workflow of another version may send what this worker does
 * not understand, and that must fail at once, naming the field, rather than half-way through
 * a paid call.
 * @throws non-retryable InvalidPlan failure naming the activity and every bad field.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, activity: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidPlan,
      nonRetryable: true,
      message: `${activity} input: ${describeIssues(parsed.error)}`,
    });
  }
  return parsed.data;
}
