import { describe, expect, it } from 'vitest';
import { parseDirectives } from '../src/directives.js';
import { keyId, outputSize, priceOf } from '../src/index.js';
import { MinHeap } from '../src/min-heap.js';
import { parseMultipart } from '../src/multipart.js';

describe('pure helpers', () => {
  it('when items are pushed in any order, then the heap pops them by due time', () => {
    const heap = new MinHeap<{ at: number }>();
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const at of values) heap.push({ at });
    const popped: number[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) popped.push(x.at);
    expect(popped).toEqual([...values].sort((a, b) => a - b));
  });

  it('when a prompt has several directives, then each is read', () => {
    expect(parseDirectives('x [sim:moderate] [sim:delay=40] [sim:error=500069]')).toEqual({
      outcome: 7,
      reject: false,
      delayMs: 40,
      errorCode: 500069,
    });
    expect(parseDirectives('plain [sim:unknown]')).toEqual({ outcome: 1, reject: false });
  });

  it('when pricing unpublished cases, then the documented assumptions apply', () => {
    expect(priceOf({ model: 'v5.5', quality: '540p', duration: 10, motion_mode: 'normal' })).toBe(113);
    expect(priceOf({ model: 'v6', quality: '720p', duration: 1, motion_mode: 'normal' })).toBe(12);
  });

  it('when sizing outputs, then quality is the short side', () => {
    expect(outputSize('1080p', '16:9')).toEqual({ width: 1920, height: 1080 });
    expect(outputSize('540p', '3:4')).toEqual({ width: 540, height: 720 });
  });

  it('when naming an account, then the key is not revealed beyond 4 characters', () => {
    expect(keyId('sk-secret-key')).toMatch(/^sk-s…[0-9a-f]{8}$/);
  });

  it('when a multipart body has a field and a file, then both are parsed', () => {
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="image_url"\r\n\r\nhttps://x/y.png\r\n' +
        '--b\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: ' +
        'image/jpeg\r\n\r\n\x01\x02\r\n--b--\r\n',
      'latin1',
    );
    const parts = parseMultipart(body, 'b');
    expect(parts.map((p) => [p.name, p.filename, p.contentType, p.data.length])).toEqual([
      ['image_url', undefined, undefined, 15],
      ['image', 'a.jpg', 'image/jpeg', 2],
    ]);
  });
});
