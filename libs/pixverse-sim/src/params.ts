import { ERR, type Refusal } from './error-codes.js';

export const MODELS = ['v3.5', 'v4', 'v4.5', 'v5', 'v5.5', 'v5.6', 'v6', 'c1'] as const;
export const QUALITIES = ['360p', '540p', '720p', '1080p'] as const;
export const ASPECT_RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16'] as const;
const STYLES = ['anime', '3d_animation', 'clay', 'comic', 'cyberpunk'] as const;
const MAX_PROMPT = 2048;
export const MAX_SEED = 2147483647;

export type Model = (typeof MODELS)[number];
export type Quality = (typeof QUALITIES)[number];
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export interface GenerationParams {
  kind: 'text' | 'img';
  prompt: string;
  negative_prompt?: string;
  model: Model;
  quality: Quality;
  duration: number;
  aspect_ratio: AspectRatio;
  seed?: number;
  motion_mode: 'normal' | 'fast';
  style?: string;
  template_id?: number;
  img_id?: number;
}

export type Validation = { ok: true; params: GenerationParams } | { ok: false; refusal: Refusal };

type Body = Record<string, unknown>;
type FieldType = 'string' | 'integer' | 'boolean';

const TEXT_REQUIRED = ['prompt', 'model', 'duration', 'quality', 'aspect_ratio'];
const IMG_REQUIRED = ['img_id', 'prompt', 'model', 'duration', 'quality'];
const TYPES: Record<string, FieldType> = {
  prompt: 'string',
  negative_prompt: 'string',
  model: 'string',
  quality: 'string',
  aspect_ratio: 'string',
  motion_mode: 'string',
  style: 'string',
  sound_effect_content: 'string',
  duration: 'integer',
  seed: 'integer',
  img_id: 'integer',
  template_id: 'integer',
  sound_effect_switch: 'boolean',
  water_mark: 'boolean',
};
const FAST_MOTION_MODELS = new Set<string>(['v3.5', 'v4', 'v4.5']);

const refuse = (code: number, detail: string): Validation => ({ ok: false, refusal: { code, detail } });

function hasType(value: unknown, type: FieldType): boolean {
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === type;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function durationRefusal(model: string, quality: string, duration: number): string | undefined {
  if (model === 'v6' || model === 'c1')
    return duration >= 1 && duration <= 15 ? undefined : `duration ${duration} not in 1-15 for ${model}`;
  const allowed = model === 'v5.5' || model === 'v5.6' ? [5, 8, 10] : [5, 8];
  if (!allowed.includes(duration)) return `duration ${duration} not supported by ${model}`;
  const max1080 = allowed.length === 3 ? 8 : 5;
  if (quality === '1080p' && duration > max1080) return `duration ${duration} not supported at 1080p on ${model}`;
  return undefined;
}

function semanticRefusal(p: GenerationParams): Refusal | undefined {
  const bad = (detail: string): Refusal => ({ code: ERR.INVALID_PARAM, detail });
  if (p.prompt.length > MAX_PROMPT) return { code: ERR.PROMPT_TOO_LONG };
  if ((p.negative_prompt?.length ?? 0) > MAX_PROMPT) return { code: ERR.NEGATIVE_PROMPT_TOO_LONG };
  if (!(MODELS as readonly string[]).includes(p.model)) return bad(`model ${p.model}`);
  if (!(QUALITIES as readonly string[]).includes(p.quality)) return bad(`quality ${p.quality}`);
  if (!(ASPECT_RATIOS as readonly string[]).includes(p.aspect_ratio)) return bad(`aspect_ratio ${p.aspect_ratio}`);
  const durationIssue = durationRefusal(p.model, p.quality, p.duration);
  if (durationIssue) return bad(durationIssue);
  if (p.seed !== undefined && (p.seed < 0 || p.seed > MAX_SEED)) return bad(`seed ${p.seed} not in 0-${MAX_SEED}`);
  if (p.style !== undefined && !(STYLES as readonly string[]).includes(p.style)) return bad(`style ${p.style}`);
  if (p.motion_mode !== 'normal' && p.motion_mode !== 'fast') return bad(`motion_mode ${String(p.motion_mode)}`);
  if (p.motion_mode === 'fast') {
    if (p.duration !== 5) return bad('fast motion requires duration 5');
    if (p.quality === '1080p') return bad('fast motion is not available at 1080p');
    if (!FAST_MOTION_MODELS.has(p.model)) return bad(`fast motion is not available on ${p.model}`);
  }
  return undefined;
}

/** Checks a generate body the way the provider does: empty → 400011, mistyped → 400013, invalid → 400017/18/19. */
export function validateGenerate(kind: 'text' | 'img', body: unknown): Validation {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return refuse(ERR.BAD_TYPE, 'body must be a JSON object');
  const b = body as Body;
  for (const field of kind === 'text' ? TEXT_REQUIRED : IMG_REQUIRED) {
    if (isEmpty(b[field])) return refuse(ERR.EMPTY_PARAM, field);
  }
  for (const [field, type] of Object.entries(TYPES)) {
    if (b[field] !== undefined && b[field] !== null && !hasType(b[field], type))
      return refuse(ERR.BAD_TYPE, `${field} must be ${type}`);
  }
  const params: GenerationParams = {
    kind,
    prompt: b.prompt as string,
    model: b.model as Model,
    quality: b.quality as Quality,
    duration: b.duration as number,
    aspect_ratio: (isEmpty(b.aspect_ratio) ? '16:9' : b.aspect_ratio) as AspectRatio,
    motion_mode: (isEmpty(b.motion_mode) ? 'normal' : b.motion_mode) as 'normal' | 'fast',
  };
  if (!isEmpty(b.negative_prompt)) params.negative_prompt = b.negative_prompt as string;
  if (!isEmpty(b.seed)) params.seed = b.seed as number;
  if (!isEmpty(b.style)) params.style = b.style as string;
  if (!isEmpty(b.template_id)) params.template_id = b.template_id as number;
  if (kind === 'img') params.img_id = b.img_id as number;
  const refusal = semanticRefusal(params);
  return refusal ? { ok: false, refusal } : { ok: true, params };
}

const SHORT_SIDE: Record<Quality, number> = { '360p': 360, '540p': 540, '720p': 720, '1080p': 1080 };
const RATIO: Record<AspectRatio, [number, number]> = {
  '16:9': [16, 9],
  '4:3': [4, 3],
  '1:1': [1, 1],
  '3:4': [3, 4],
  '9:16': [9, 16],
};

/** Output frame size: the quality names the short side, the aspect ratio gives the long one. */
export function outputSize(quality: Quality, aspect: AspectRatio): { width: number; height: number } {
  const short = SHORT_SIDE[quality];
  const [w, h] = RATIO[aspect];
  const long = Math.round((short * Math.max(w, h)) / Math.min(w, h) / 2) * 2;
  return w >= h ? { width: long, height: short } : { width: short, height: long };
}
