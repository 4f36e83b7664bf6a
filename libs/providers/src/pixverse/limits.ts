import type { JobParams, OperationType } from '@pixsim/contracts';
import type { ValidationIssue } from '../provider-port.js';

export const PIXVERSE_MODELS = ['v3.5', 'v4', 'v4.5', 'v5', 'v5.5', 'v5.6', 'v6', 'c1'] as const;
export type PixverseModel = (typeof PIXVERSE_MODELS)[number];
export const PIXVERSE_QUALITIES = ['360p', '540p', '720p', '1080p'] as const;
export type PixverseQuality = (typeof PIXVERSE_QUALITIES)[number];
export const PIXVERSE_ASPECT_RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16'] as const;
export const PIXVERSE_MOTION_MODES = ['normal', 'fast'] as const;
/** Styles PixVerse accepts (the API refuses others with 400017). */
export const PIXVERSE_STYLES = ['anime', '3d_animation', 'clay', 'comic', 'cyberpunk'] as const;
export const PIXVERSE_SUPPORTED_OPERATIONS = [
  'text_to_video',
  'image_to_video',
] as const satisfies readonly OperationType[];

export const PIXVERSE_MAX_PROMPT_CHARS = 2048;
export const PIXVERSE_MAX_SEED = 2_147_483_647;

export const PIXVERSE_DEFAULTS = {
  model: 'v5',
  quality: '540p',
  duration: 5,
  aspect_ratio: '16:9',
  motion_mode: 'normal',
} as const;

/** Models whose duration rules are "5 or 8, not 8 at 1080p". */
const LEGACY_MODELS: ReadonlySet<string> = new Set(['v3.5', 'v4', 'v4.5', 'v5']);
/** v5.6 is not described separately by the reference; it is assumed to follow v5.5. */
const V55_MODELS: ReadonlySet<string> = new Set(['v5.5', 'v5.6']);
const FLEX_MODELS: ReadonlySet<string> = new Set(['v6', 'c1']);
/**
 * The reference says fast motion is "not on v5"; we read that as "not on v5 or
 * anything newer" and allow it on v3.5–v4.5 only (documented assumption).
 */
const FAST_MOTION_MODELS: ReadonlySet<string> = new Set(['v3.5', 'v4', 'v4.5']);

/** The parameters with PixVerse's defaults filled in. */
export interface ResolvedPixverseParams {
  model: string;
  quality: string;
  duration: number;
  aspect_ratio: string;
  motion_mode: string;
}

export function resolvePixverseParams(params: JobParams): ResolvedPixverseParams {
  return {
    model: params.model ?? PIXVERSE_DEFAULTS.model,
    quality: params.quality ?? PIXVERSE_DEFAULTS.quality,
    duration: params.duration ?? PIXVERSE_DEFAULTS.duration,
    aspect_ratio: params.aspect_ratio ?? PIXVERSE_DEFAULTS.aspect_ratio,
    motion_mode: params.motion_mode ?? PIXVERSE_DEFAULTS.motion_mode,
  };
}

/** Durations a model accepts at a quality; `null` when the model is unknown. */
export function allowedDurations(model: string, quality: string): readonly number[] | null {
  const is1080 = quality === '1080p';
  if (LEGACY_MODELS.has(model)) return is1080 ? [5] : [5, 8];
  if (V55_MODELS.has(model)) return is1080 ? [5, 8] : [5, 8, 10];
  if (FLEX_MODELS.has(model)) return Array.from({ length: 15 }, (_, i) => i + 1);
  return null;
}

const oneOf = (list: readonly string[]): string => list.join(', ');

export function validatePixverse(operationType: OperationType, params: JobParams): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  if (!(PIXVERSE_SUPPORTED_OPERATIONS as readonly string[]).includes(operationType)) {
    add('operation_type', `${operationType} is not supported by pixverse yet`);
    return issues;
  }
  validateTexts(params, add);
  if (operationType === 'image_to_video' && !params.image_url) {
    add('params.image_url', 'image_to_video needs an image_url');
  }
  validateShape(resolvePixverseParams(params), add);
  if (
    params.seed !== undefined &&
    (!Number.isInteger(params.seed) || params.seed < 0 || params.seed > PIXVERSE_MAX_SEED)
  ) {
    add('params.seed', `seed must be an integer from 0 to ${PIXVERSE_MAX_SEED}`);
  }
  if (params.style !== undefined && !(PIXVERSE_STYLES as readonly string[]).includes(params.style)) {
    add('params.style', `style ${params.style} is unknown; one of ${oneOf(PIXVERSE_STYLES)}`);
  }
  return issues;
}

type Add = (field: string, message: string) => void;

function validateTexts(params: JobParams, add: Add): void {
  if (!params.prompt || params.prompt.trim() === '') add('params.prompt', 'prompt is required');
  else if (params.prompt.length > PIXVERSE_MAX_PROMPT_CHARS) {
    add(
      'params.prompt',
      `prompt is ${params.prompt.length} characters; pixverse accepts at most ${PIXVERSE_MAX_PROMPT_CHARS}`,
    );
  }
  if (params.negative_prompt !== undefined && params.negative_prompt.length > PIXVERSE_MAX_PROMPT_CHARS) {
    add(
      'params.negative_prompt',
      `negative_prompt is ${params.negative_prompt.length} characters; pixverse accepts at most ` +
        `${PIXVERSE_MAX_PROMPT_CHARS}`,
    );
  }
}

function validateShape(p: ResolvedPixverseParams, add: Add): void {
  const modelKnown = (PIXVERSE_MODELS as readonly string[]).includes(p.model);
  const qualityKnown = (PIXVERSE_QUALITIES as readonly string[]).includes(p.quality);
  if (!modelKnown) add('params.model', `model ${p.model} is unknown; one of ${oneOf(PIXVERSE_MODELS)}`);
  if (!qualityKnown) add('params.quality', `quality ${p.quality} is unknown; one of ${oneOf(PIXVERSE_QUALITIES)}`);
  if (!(PIXVERSE_ASPECT_RATIOS as readonly string[]).includes(p.aspect_ratio)) {
    add('params.aspect_ratio', `aspect_ratio ${p.aspect_ratio} is unknown; one of ${oneOf(PIXVERSE_ASPECT_RATIOS)}`);
  }
  if (modelKnown && qualityKnown) {
    const durations = allowedDurations(p.model, p.quality) ?? [];
    if (!durations.includes(p.duration)) {
      const range = FLEX_MODELS.has(p.model) ? '1 to 15' : oneOf(durations.map(String));
      add(
        'params.duration',
        `duration ${p.duration} s is not available for ${p.model} at ${p.quality}; allowed: ${range}`,
      );
    }
  }
  validateMotion(p, add);
}

function validateMotion(p: ResolvedPixverseParams, add: Add): void {
  if (!(PIXVERSE_MOTION_MODES as readonly string[]).includes(p.motion_mode)) {
    add('params.motion_mode', `motion_mode ${p.motion_mode} is unknown; one of ${oneOf(PIXVERSE_MOTION_MODES)}`);
    return;
  }
  if (p.motion_mode !== 'fast') return;
  if (p.duration !== 5) add('params.motion_mode', 'fast motion is only available at 5 s');
  if (p.quality === '1080p') add('params.motion_mode', 'fast motion is not available at 1080p');
  if (!FAST_MOTION_MODELS.has(p.model)) add('params.motion_mode', `fast motion is not available on ${p.model}`);
}
