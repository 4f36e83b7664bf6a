import type { GenerationParams } from './params.js';

/** Credits for a 5 s normal-motion generation, from the provider's table ($1 = 100 credits). */
const BASE_5S: Record<string, number> = { '360p': 45, '540p': 45, '720p': 60, '1080p': 120 };

const PER_SECOND_MODELS = new Set(['v6', 'c1']);

/**
 * Credits charged at submit. The published table covers v5 and earlier (5 s = base,
 * 8 s = twice base; fast motion doubles the 5 s price). Unpublished cases are
 * simulator assumptions: 10 s (v5.5/v5.6) costs 2.5× base, and v6/c1 are priced per
 * second at base/5, rounded up.
 */
export function priceOf(p: Pick<GenerationParams, 'model' | 'quality' | 'duration' | 'motion_mode'>): number {
  const base = BASE_5S[p.quality] ?? BASE_5S['540p']!;
  if (PER_SECOND_MODELS.has(p.model)) return Math.ceil((base * p.duration) / 5);
  if (p.duration === 5) return p.motion_mode === 'fast' ? base * 2 : base;
  if (p.duration === 8) return base * 2;
  return Math.ceil(base * 2.5);
}
