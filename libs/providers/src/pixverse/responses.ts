import { z } from 'zod';
import { ProviderError } from '../provider-error.js';
import type { GenerationState, GenerationStatus } from '../provider-port.js';

const intLike = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const optionalNumber = z
  .number()
  .nullish()
  .transform((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));

export const generateRespSchema = z.object({ video_id: intLike });
export const uploadRespSchema = z.object({ img_id: intLike, img_url: z.string().optional() });
export const balanceRespSchema = z.object({
  credit_monthly: z.number().default(0),
  credit_package: z.number().default(0),
});
const statusRespSchema = z.looseObject({
  status: z.number().int(),
  url: z.string().nullish(),
  outputWidth: optionalNumber,
  outputHeight: optionalNumber,
  size: optionalNumber,
  duration: optionalNumber,
});

/** PixVerse's numeric generation statuses. Anything else is treated as still pending. */
export const PIXVERSE_STATUS: Readonly<Record<number, GenerationState>> = {
  5: 'pending',
  1: 'completed',
  7: 'moderated',
  8: 'failed',
  6: 'deleted',
};

export function parseResp<T>(schema: z.ZodType<T>, resp: unknown, what: string): T {
  const parsed = schema.safeParse(resp);
  if (parsed.success) return parsed.data;
  throw new ProviderError('protocol', `pixverse ${what} answer has an unexpected shape`, {
    details: { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
  });
}

export function toGenerationStatus(resp: unknown): GenerationStatus {
  // The usual answer, "still generating", uses nothing but the status: it is read as is,
  // without a full parse (the poller reads thousands a second). The rest is parsed whole.
  const status = (resp as { status?: unknown } | null)?.status;
  if (Number.isInteger(status) && PIXVERSE_STATUS[status as number] !== 'completed') {
    return { state: PIXVERSE_STATUS[status as number] ?? 'pending', raw: resp };
  }
  const r = parseResp(statusRespSchema, resp, 'status');
  const state = PIXVERSE_STATUS[r.status] ?? 'pending';
  if (state !== 'completed') return { state, raw: resp };
  if (!r.url)
    throw new ProviderError('protocol', 'pixverse reported success without a video url', {
      details: { status: r.status },
    });
  return {
    state,
    result: {
      url: r.url,
      width: r.outputWidth,
      height: r.outputHeight,
      duration_sec: r.duration,
      file_size_bytes: r.size,
    },
    raw: resp,
  };
}
