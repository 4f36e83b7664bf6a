import { expect } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '../src/index.js';

/** PixVerse's ErrCodes and the kind each must classify as, written out apart from the code's own table. */
export const PIXVERSE_CODE_KINDS: Array<[number, ProviderErrorKind]> = [
  [400011, 'invalid_params'],
  [400013, 'invalid_params'],
  [400017, 'invalid_params'],
  [400018, 'invalid_params'],
  [400019, 'invalid_params'],
  [400032, 'invalid_params'],
  [400012, 'account_invalid'],
  [500020, 'account_forbidden'],
  [500044, 'concurrency_limit'],
  [500052, 'moderation'],
  [500054, 'moderation'],
  [500063, 'moderation'],
  [500069, 'unavailable'],
  [500090, 'insufficient_credits'],
  [500100, 'unavailable'],
  [99999, 'unavailable'],
];

/** The ProviderError `p` rejects with (the test fails if it resolves or throws something else). */
export async function caught(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}
