import { decode } from '@temporalio/common/lib/encoding';
import { defaultPayloadConverter, type PayloadConverter } from '@temporalio/workflow';

type Payload = Parameters<PayloadConverter['fromPayload']>[0];

/** What a payload that could not be decoded becomes: no schema of scenegate accepts it. */
export interface UndecodablePayload {
  readonly undecodablePayload: string;
}

export function isUndecodable(value: unknown): value is UndecodablePayload {
  return typeof value === 'object' && value !== null && 'undecodablePayload' in value;
}

/**
 * The default converter, except that a payload it cannot decode (an unknown `encoding`, JSON
 * that does not parse) becomes an `UndecodablePayload` instead of an error. Anyone who may
 * signal a generation can send such a payload (`temporal workflow signal --input-meta
 * encoding=…`); thrown, it failed every workflow task from then on, so the run no longer
 * answered queries or cancels. As a value, the handler's validation refuses it like any other
 * bad payload. Runs in the workflow sandbox (bundled with `payloadConverterPath`).
 */
class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    return defaultPayloadConverter.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      return defaultPayloadConverter.fromPayload<T>(payload);
    } catch (err) {
      const encoding = payload.metadata?.encoding;
      const named = encoding ? decode(encoding).slice(0, 100) : 'none';
      const marker: UndecodablePayload = {
        undecodablePayload: `a payload with encoding ${JSON.stringify(named)} could not be decoded: ${(err as Error).message.slice(0, 200)}`,
      };
      return marker as T;
    }
  }
}

export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();
