import { FormData } from 'undici';
import type { JobParams } from '@pixsim/contracts';
import { ProviderError } from '../provider-error.js';
import type {
  CallOptions,
  GenerationRequest,
  GenerationStatus,
  ProviderCredentials,
  SubmitResult,
  VideoProvider,
} from '../provider-port.js';
import { silentProviderLogger } from '../logger.js';
import type { ProviderLogger } from '../logger.js';
import { createBreakerSet } from './breakers.js';
import type { BreakerConfig } from './breakers.js';
import { createPixverseHttp } from './http.js';
import { resolvePixverseParams, validatePixverse } from './limits.js';
import { pixverseCost } from './pricing.js';
import { balanceRespSchema, generateRespSchema, parseResp, toGenerationStatus, uploadRespSchema } from './responses.js';

export interface PixverseProviderOptions {
  /** e.g. `https://app-api.pixverse.ai` or the simulator's url. */
  baseUrl: string;
  timeouts?: Partial<{ connectMs: number; requestMs: number }>;
  breaker?: Partial<BreakerConfig>;
  pool?: Partial<{ connections: number }>;
  logger?: ProviderLogger;
}

export const PIXVERSE_DEFAULT_TIMEOUTS = { connectMs: 5_000, requestMs: 30_000 } as const;
export const PIXVERSE_DEFAULT_BREAKER = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 30_000,
  volumeThreshold: 5,
  rollingCountTimeoutMs: 10_000,
} as const satisfies Omit<BreakerConfig, 'timeoutMs'>;
export const PIXVERSE_DEFAULT_CONNECTIONS = 64;

export function createPixverseProvider(opts: PixverseProviderOptions): VideoProvider {
  const timeouts = { ...PIXVERSE_DEFAULT_TIMEOUTS, ...opts.timeouts };
  // opossum's deadline sits just above the HTTP one, so a hung socket is reported by undici first.
  // Status calls, the poller's thousands a second, have the transport's deadline alone
  // (unless a breaker deadline is asked for): the timer opossum would start per call
  // bounds nothing the transport does not.
  const breakerConfig: BreakerConfig = {
    timeoutMs: timeouts.requestMs + 1_000,
    ...PIXVERSE_DEFAULT_BREAKER,
    untimed: opts.breaker?.timeoutMs === undefined ? ['status'] : [],
    ...opts.breaker,
  };
  const logger = opts.logger ?? silentProviderLogger;
  const http = createPixverseHttp({
    baseUrl: opts.baseUrl,
    connectMs: timeouts.connectMs,
    requestMs: timeouts.requestMs,
    connections: opts.pool?.connections ?? PIXVERSE_DEFAULT_CONNECTIONS,
  });
  const breakers = createBreakerSet(breakerConfig, logger);
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new ProviderError('unavailable', 'the pixverse client is closed', { providerFault: false });
  };

  async function upload(creds: ProviderCredentials, imageUrl: string, signal?: AbortSignal): Promise<number> {
    const resp = await breakers.run(
      'upload',
      (s) => {
        const form = new FormData();
        form.append('image_url', imageUrl);
        return http.call({ method: 'POST', path: 'image/upload', apiKey: creds.apiKey, form, signal: s });
      },
      signal,
    );
    return parseResp(uploadRespSchema, resp, 'image upload').img_id;
  }

  async function submit(
    creds: ProviderCredentials,
    req: GenerationRequest,
    callOpts: CallOptions = {},
  ): Promise<SubmitResult> {
    ensureOpen();
    const issues = validatePixverse(req.operationType, req.params);
    if (issues.length > 0) {
      throw new ProviderError('invalid_params', issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
        details: { issues },
      });
    }
    const body = generationBody(req.params);
    let path = 'video/text/generate';
    if (req.operationType === 'image_to_video') {
      const imgId = await upload(creds, req.params.image_url ?? '', callOpts.signal);
      path = 'video/img/generate';
      delete body.aspect_ratio; // the image decides the frame
      body.img_id = imgId;
    }
    const resp = await breakers.run(
      'submit',
      (s) => http.call({ method: 'POST', path, apiKey: creds.apiKey, json: body, signal: s }),
      callOpts.signal,
    );
    const videoId = parseResp(generateRespSchema, resp, 'generate').video_id;
    logger.debug(
      { job_id: req.jobId, provider_job_id: videoId, operation_type: req.operationType },
      'pixverse generation submitted',
    );
    return { providerJobId: String(videoId), cost: pixverseCost(req.params) };
  }

  async function status(
    creds: ProviderCredentials,
    providerJobId: string,
    callOpts: CallOptions = {},
  ): Promise<GenerationStatus> {
    ensureOpen();
    const path = `video/result/${encodeURIComponent(providerJobId)}`;
    const { deadlineAt } = callOpts;
    const resp = await breakers.run(
      'status',
      (s) => http.call({ method: 'GET', path, apiKey: creds.apiKey, signal: s, deadlineAt }),
      callOpts.signal,
    );
    return toGenerationStatus(resp);
  }

  async function balance(creds: ProviderCredentials, callOpts: CallOptions = {}): Promise<{ credits: number }> {
    ensureOpen();
    const resp = await breakers.run(
      'balance',
      (s) => http.call({ method: 'GET', path: 'account/balance', apiKey: creds.apiKey, signal: s }),
      callOpts.signal,
    );
    const b = parseResp(balanceRespSchema, resp, 'balance');
    return { credits: b.credit_monthly + b.credit_package };
  }

  return {
    id: 'pixverse',
    validate: (req) => validatePixverse(req.operationType, req.params),
    estimateCost: (req) => pixverseCost(req.params),
    submit,
    status,
    balance,
    breakers: () => breakers.views(),
    onBreakerChange: (listener) => breakers.onChange(listener),
    async close() {
      if (closed) return;
      closed = true;
      breakers.shutdown();
      await http.close();
    },
  };
}

/** The generate body: PixVerse's required fields with defaults, optional ones only when given. */
function generationBody(params: JobParams): Record<string, unknown> {
  const p = resolvePixverseParams(params);
  const body: Record<string, unknown> = {
    prompt: params.prompt,
    model: p.model,
    duration: p.duration,
    quality: p.quality,
    aspect_ratio: p.aspect_ratio,
    motion_mode: p.motion_mode,
  };
  if (params.negative_prompt) body.negative_prompt = params.negative_prompt;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.style) body.style = params.style;
  return body;
}
