import { describe, expect, it } from 'vitest';
import { LingerBatch } from '../src/linger-batch.js';

describe('LingerBatch', () => {
  it('when items arrive within the linger, then one send carries them all, and later items go in the next', async () => {
    const sent: number[][] = [];
    const batch = new LingerBatch<number>(async (items) => void sent.push(items), { lingerMs: 20 });
    await Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    await batch.add(4);
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });

  it('when maxBatch items are waiting, then they go at once without waiting out the linger', async () => {
    const sent: number[][] = [];
    const batch = new LingerBatch<number>(async (items) => void sent.push(items), { lingerMs: 60_000, maxBatch: 3 });
    await Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it('when a send fails, then every caller of that batch gets its error, flush does not throw, and the next batch is sent', async () => {
    let fail = true;
    const sent: string[][] = [];
    const batch = new LingerBatch<string>(
      async (items) => {
        if (fail) throw new Error('store down');
        sent.push(items);
      },
      { lingerMs: 60_000 },
    );
    const first = [batch.add('a'), batch.add('b')];
    await batch.flush();
    for (const p of first) await expect(p).rejects.toThrow('store down');
    fail = false;
    const next = batch.add('c');
    await batch.flush();
    await next;
    expect(sent).toEqual([['c']]);
  });

  it('when flush is called while a batch is being sent, then it waits until that send is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let done = false;
    const batch = new LingerBatch<number>(
      async () => {
        await gate;
        done = true;
      },
      { lingerMs: 60_000, maxBatch: 1 },
    );
    const added = batch.add(1); // full at once: its send starts now and waits on the gate
    await new Promise((r) => setTimeout(r, 10));
    let flushed = false;
    const flushing = batch.flush().then(() => (flushed = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(done).toBe(true);
    await added;
  });
});
