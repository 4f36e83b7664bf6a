import type { JobParams } from '@pixsim/contracts';
import { resolvePixverseParams } from './limits.js';

/**
 * Credits for a 5-second, normal-motion generation, per quality ($1 = 100 credits),
 * from the reference's table for v5 and earlier.
 */
export const PIXVERSE_PRICE_5S = {
  '360p': 45,
  '540p': 45,
  '720p': 60,
  '1080p': 120,
} as const satisfies Record<string, number>;

/** Models the reference gives no price for and that take any duration from 1 to 15 s. */
const PER_SECOND_MODELS: ReadonlySet<string> = new Set(['v6', 'c1']);
const MOST_EXPENSIVE_5S = Math.max(...Object.values(PIXVERSE_PRICE_5S));

/**
 * The price of one generation.
 * - Published (v5 and earlier): 5 s = base, 8 s = 2 × base, fast motion doubles the 5 s price.
 * - Assumed, the same as the simulator's so reservations match what it charges:
 *   v5.5 / v5.6 use the same table, and 10 s costs ⌈2.5 × base⌉;
 *   v6 / c1 are priced per second at ⌈base × duration / 5⌉.
 * An unknown quality is priced as the most expensive one, so a reservation never under-counts.
 */
export function pixverseCost(params: JobParams): number {
  const p = resolvePixverseParams(params);
  const base = (PIXVERSE_PRICE_5S as Record<string, number>)[p.quality] ?? MOST_EXPENSIVE_5S;
  if (PER_SECOND_MODELS.has(p.model)) return Math.ceil((base * p.duration) / 5);
  if (p.duration <= 5) return p.motion_mode === 'fast' ? base * 2 : base;
  if (p.duration <= 8) return base * 2;
  return Math.ceil(base * 2.5);
}
