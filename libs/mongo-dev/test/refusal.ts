import { expect } from 'vitest';
import { mongo } from 'mongoose';

export interface Refusal {
  code: number;
  codeName: string;
  message: string;
}

/** The MongoServerError `p` rejects with (a failed expectation when it resolves or fails otherwise). */
export async function refusal(p: Promise<unknown>): Promise<Refusal> {
  const outcome = await p.then(
    (value: unknown) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if ('value' in outcome) expect.fail(`expected a server error, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.err).toBeInstanceOf(mongo.MongoServerError);
  const err = outcome.err as InstanceType<typeof mongo.MongoServerError>;
  return { code: err.code as number, codeName: err.codeName as string, message: err.message };
}
