import { describe, expect, it } from 'vitest';
import { createIdFactory, pooledRandom } from '../src/ids.js';

describe('ids', () => {
  it('when 10,000 ids are minted at once, then they are unique ulids in minting order', () => {
    const newId = createIdFactory();
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('when the pool is drawn past its size, then it refills and the values stay uniform over [0, 1)', () => {
    const random = pooledRandom();
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 80_000; i++) {
      const v = random();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      counts[Math.floor(v * 8)]++;
    }
    // 10,000 expected per bucket; a stuck or unrefilled pool would pile into one.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });
});
