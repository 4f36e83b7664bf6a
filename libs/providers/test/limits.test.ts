import { describe, expect, it } from 'vitest';
import type { JobParams, OperationType } from '@pixsim/contracts';
import { PIXVERSE_STATUS, validatePixverse } from '../src/index.js';

const ok: JobParams = { prompt: 'a cat surfing' };
const fields = (op: OperationType, params: JobParams): string[] => validatePixverse(op, params).map((i) => i.field);

describe('validatePixverse', () => {
  it('when only a prompt is given, then the defaults pass', () => {
    expect(validatePixverse('text_to_video', ok)).toEqual([]);
  });

  it('when every field is valid, then there are no issues', () => {
    expect(
      validatePixverse('text_to_video', {
        prompt: 'p',
        negative_prompt: 'n',
        model: 'v4.5',
        quality: '720p',
        duration: 8,
        aspect_ratio: '9:16',
        seed: 2_147_483_647,
        motion_mode: 'normal',
        style: 'anime',
      }),
    ).toEqual([]);
  });

  it('when the model is unknown, then the issue is on params.model', () => {
    expect(fields('text_to_video', { ...ok, model: 'v9' })).toEqual(['params.model']);
  });

  it('when the quality is unknown, then the issue is on params.quality', () => {
    expect(fields('text_to_video', { ...ok, quality: '4k' })).toEqual(['params.quality']);
  });

  it('when the aspect ratio is unknown, then the issue is on params.aspect_ratio', () => {
    expect(fields('text_to_video', { ...ok, aspect_ratio: '21:9' })).toEqual(['params.aspect_ratio']);
  });

  it.each([
    ['v3.5', '540p', 5, true],
    ['v4', '720p', 8, true],
    ['v5', '540p', 10, false],
    ['v5', '540p', 6, false],
    ['v5', '1080p', 5, true],
    ['v5', '1080p', 8, false],
    ['v4.5', '1080p', 8, false],
    ['v5.5', '540p', 10, true],
    ['v5.5', '1080p', 8, true],
    ['v5.5', '1080p', 10, false],
    ['v5.5', '720p', 15, false],
    ['v5.6', '720p', 10, true],
    ['v6', '1080p', 1, true],
    ['v6', '540p', 15, true],
    ['c1', '540p', 16, false],
  ] as const)('when model %s at %s asks %i s, then valid is %s', (model, quality, duration, valid) => {
    const issues = fields('text_to_video', { ...ok, model, quality, duration });
    expect(issues).toEqual(valid ? [] : ['params.duration']);
  });

  it('when the prompt has 3000 characters, then the issue is on params.prompt', () => {
    const issues = validatePixverse('text_to_video', { prompt: 'x'.repeat(3000) });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe('params.prompt');
    expect(issues[0]?.message).toContain('2048');
  });

  it('when the prompt has exactly 2048 characters, then it passes', () => {
    expect(validatePixverse('text_to_video', { prompt: 'x'.repeat(2048) })).toEqual([]);
  });

  it('when the negative prompt is over 2048 characters, then the issue is on params.negative_prompt', () => {
    expect(fields('text_to_video', { ...ok, negative_prompt: 'n'.repeat(2049) })).toEqual(['params.negative_prompt']);
  });

  it('when the prompt is missing or blank, then the issue is on params.prompt', () => {
    expect(fields('text_to_video', {})).toEqual(['params.prompt']);
    expect(fields('text_to_video', { prompt: '   ' })).toEqual(['params.prompt']);
  });

  it('when image_to_video has no image_url, then the issue is on params.image_url', () => {
    expect(fields('image_to_video', ok)).toEqual(['params.image_url']);
    expect(fields('image_to_video', { ...ok, image_url: 'https://example.com/a.png' })).toEqual([]);
  });

  it('when image_to_video has neither prompt nor image_url, then both are reported', () => {
    expect(fields('image_to_video', {}).sort()).toEqual(['params.image_url', 'params.prompt']);
  });

  it.each(['video_extend', 'video_transition', 'fusion'] as const)(
    'when the operation is %s, then it is not supported yet',
    (op) => {
      const issues = validatePixverse(op, ok);
      expect(issues).toEqual([{ field: 'operation_type', message: `${op} is not supported by pixverse yet` }]);
    },
  );

  it('when the seed is out of range, then the issue is on params.seed', () => {
    expect(fields('text_to_video', { ...ok, seed: 2_147_483_648 })).toEqual(['params.seed']);
    expect(fields('text_to_video', { ...ok, seed: -1 })).toEqual(['params.seed']);
    expect(fields('text_to_video', { ...ok, seed: 0 })).toEqual([]);
  });

  it('when motion_mode is fast at 5 s below 1080p on v4, then it passes', () => {
    expect(fields('text_to_video', { ...ok, model: 'v4', motion_mode: 'fast' })).toEqual([]);
  });

  it('when motion_mode is fast at 8 s, at 1080p or on v5, then the issue is on params.motion_mode', () => {
    expect(fields('text_to_video', { ...ok, model: 'v4', motion_mode: 'fast', duration: 8 })).toEqual([
      'params.motion_mode',
    ]);
    expect(fields('text_to_video', { ...ok, model: 'v4', motion_mode: 'fast', quality: '1080p' })).toEqual([
      'params.motion_mode',
    ]);
    expect(fields('text_to_video', { ...ok, model: 'v5', motion_mode: 'fast' })).toEqual(['params.motion_mode']);
  });

  it('when the style is not one pixverse knows, then the issue is on params.style', () => {
    expect(fields('text_to_video', { ...ok, style: 'watercolor' })).toEqual(['params.style']);
  });

  it('when motion_mode is unknown, then the issue is on params.motion_mode', () => {
    expect(fields('text_to_video', { ...ok, motion_mode: 'slow' })).toEqual(['params.motion_mode']);
  });
});

describe('PIXVERSE_STATUS', () => {
  it('when the provider reports 5, 1, 7, 8, 6, then the states are pending, completed, moderated, failed, deleted', () => {
    expect([5, 1, 7, 8, 6].map((s) => PIXVERSE_STATUS[s])).toEqual([
      'pending',
      'completed',
      'moderated',
      'failed',
      'deleted',
    ]);
  });
});
