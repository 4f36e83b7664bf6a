import { describe, expect, it } from 'vitest';
import { createPurgedReplayGuard } from '../src/index.js';

const DAY = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');

describe('createPurgedReplayGuard', () => {
  const guard = (stored: Set<string>) => {
    const asked: string[] = [];
    const dropped: Array<[string, number]> = [];
    const isPurgedReplay = createPurgedReplayGuard<{ id: string; at: string }>({
      eventTime: (e) => e.at,
      recordExists: async (e) => {
        asked.push(e.id);
        return stored.has(e.id);
      },
      retentionMs: 30 * DAY,
      clock: () => now,
      onDropped: (e, ageMs) => void dropped.push([e.id, Math.round(ageMs / DAY)]),
    });
    return { isPurgedReplay, asked, dropped };
  };
  const daysAgo = (d: number) => new Date(now.getTime() - d * DAY).toISOString();

  it('when an event is younger than the retention, then it is live without asking the store', async () => {
    const g = guard(new Set());
    expect(await g.isPurgedReplay({ id: 'young', at: daysAgo(29) })).toBe(false);
    expect(g.asked).toEqual([]);
  });

  it('when an event is older than the retention, then it is dropped only if its record is gone', async () => {
    const g = guard(new Set(['kept']));
    expect(await g.isPurgedReplay({ id: 'kept', at: daysAgo(31) })).toBe(false);
    expect(await g.isPurgedReplay({ id: 'gone', at: daysAgo(45) })).toBe(true);
    expect(g.asked).toEqual(['kept', 'gone']);
    expect(g.dropped).toEqual([['gone', 45]]);
  });
});
