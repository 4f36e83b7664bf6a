import { describe, expect, it } from 'vitest';
import { createPixverseProvider, pixverseCost } from '../src/index.js';

describe('pixverseCost', () => {
  it.each([
    ['360p', 5, 45],
    ['360p', 8, 90],
    ['540p', 5, 45],
    ['540p', 8, 90],
    ['720p', 5, 60],
    ['720p', 8, 120],
    ['1080p', 5, 120],
  ] as const)('when %s for %i s with normal motion on v5, then it costs %i credits', (quality, duration, credits) => {
    expect(pixverseCost({ prompt: 'p', model: 'v5', quality, duration })).toBe(credits);
  });

  it('when params omit everything, then the default v5/540p/5 s price applies', () => {
    expect(pixverseCost({ prompt: 'p' })).toBe(45);
  });

  it('when motion is fast, then the 5 s price doubles', () => {
    expect(pixverseCost({ prompt: 'p', model: 'v4', quality: '540p', motion_mode: 'fast' })).toBe(90);
    expect(pixverseCost({ prompt: 'p', model: 'v4', quality: '720p', motion_mode: 'fast' })).toBe(120);
  });

  it('when v5.5 or v5.6 asks 5 or 8 s, then the v5 table applies', () => {
    expect(pixverseCost({ prompt: 'p', model: 'v5.5', quality: '720p', duration: 5 })).toBe(60);
    expect(pixverseCost({ prompt: 'p', model: 'v5.6', quality: '1080p', duration: 8 })).toBe(240);
  });

  it('when v5.5 asks 10 s, then it costs the assumed 2.5 times the 5 s price, rounded up', () => {
    expect(pixverseCost({ prompt: 'p', model: 'v5.5', quality: '540p', duration: 10 })).toBe(113);
    expect(pixverseCost({ prompt: 'p', model: 'v5.5', quality: '720p', duration: 10 })).toBe(150);
  });

  it('when v6 or c1 asks any duration, then it is priced per second at base/5, rounded up', () => {
    expect(pixverseCost({ prompt: 'p', model: 'v6', quality: '720p', duration: 15 })).toBe(180);
    expect(pixverseCost({ prompt: 'p', model: 'c1', quality: '540p', duration: 1 })).toBe(9);
    expect(pixverseCost({ prompt: 'p', model: 'v6', quality: '540p', duration: 7 })).toBe(63);
  });

  it('when the quality is unknown, then it is priced as the most expensive one', () => {
    expect(pixverseCost({ prompt: 'p', quality: '4k' })).toBe(120);
  });

  it('when asked through the provider, then estimateCost matches without any I/O', async () => {
    const provider = createPixverseProvider({ baseUrl: 'http://127.0.0.1:9' });
    expect(
      provider.estimateCost({ operationType: 'image_to_video', params: { prompt: 'p', quality: '720p', duration: 8 } }),
    ).toBe(120);
    await provider.close();
  });
});
