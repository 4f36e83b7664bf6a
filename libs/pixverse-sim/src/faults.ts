import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ERR, fail } from './error-codes.js';
import type { Rng } from './random.js';
import type { StatsRecorder } from './stats.js';
import { ENDPOINT_NAMES, type EndpointName, type FaultConfig } from './types.js';

export const DEFAULT_FAULTS: FaultConfig = {
  highLoadRate: 0,
  http5xxRate: 0,
  timeoutRate: 0,
  timeoutMs: 30_000,
  dropRate: 0,
  slowRate: 1,
  slowMs: 0,
  rateLimitRate: 0,
  retryAfterS: 1,
  outage: false,
  endpoints: null,
};

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0);
export const faultConfigSchema = z
  .object({
    highLoadRate: rate,
    http5xxRate: rate,
    timeoutRate: rate,
    timeoutMs: ms,
    dropRate: rate,
    slowRate: rate,
    slowMs: ms,
    rateLimitRate: rate,
    retryAfterS: ms,
    outage: z.boolean(),
    endpoints: z.array(z.enum(ENDPOINT_NAMES as [EndpointName, ...EndpointName[]])).nullable(),
  })
  .partial()
  .strict();

const STATUS_TEXT: Record<number, string> = {
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};
const html = (code: number): string =>
  `<html>\r\n<head><title>${code} ${STATUS_TEXT[code]}</title></head>\r\n<body>\r\n<center><h1>${code} ` +
  `${STATUS_TEXT[code]}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

function sendHtml(reply: FastifyReply, code: number): void {
  void reply.code(code).header('content-type', 'text/html').send(html(code));
}

/**
 * Misbehaves like the infrastructure in front of the real API: runs before any business
 * logic, so a faulted call has no effect. `apply` answers true when it took the call.
 */
export class FaultInjector {
  private config: FaultConfig;
  private readonly held = new Map<NodeJS.Timeout, FastifyRequest>();

  constructor(
    initial: Partial<FaultConfig> | undefined,
    private readonly rng: Rng,
    private readonly stats: StatsRecorder,
  ) {
    this.config = { ...DEFAULT_FAULTS, ...faultConfigSchema.parse(initial ?? {}) };
  }

  current(): FaultConfig {
    return { ...this.config };
  }

  set(partial: Partial<FaultConfig>): FaultConfig {
    this.config = { ...this.config, ...faultConfigSchema.parse(partial) };
    return this.current();
  }

  async apply(req: FastifyRequest, reply: FastifyReply, endpoint: EndpointName): Promise<boolean> {
    const c = this.config;
    if (c.outage) {
      this.stats.fault('outage');
      sendHtml(reply, 503);
      return true;
    }
    if (c.endpoints !== null && !c.endpoints.includes(endpoint)) return false;
    if (
      c.dropRate + c.timeoutRate + c.http5xxRate + c.rateLimitRate + c.highLoadRate > 0 &&
      this.exclusiveFault(req, reply)
    )
      return true;
    if (c.slowMs > 0 && this.rng() < c.slowRate) {
      this.stats.fault('slow');
      await new Promise((resolve) => setTimeout(resolve, c.slowMs).unref());
    }
    return false;
  }

  /** Ends held (timed-out) requests: their sockets are destroyed on close. */
  stop(): void {
    for (const [timer, req] of this.held) {
      clearTimeout(timer);
      req.raw.socket?.destroy();
    }
    this.held.clear();
  }

  private exclusiveFault(req: FastifyRequest, reply: FastifyReply): boolean {
    const c = this.config;
    // One draw picks at most one fault: each rate is a slice of [0, 1), laid end to end.
    const u = this.rng();
    const edges = cumulative([c.dropRate, c.timeoutRate, c.http5xxRate, c.rateLimitRate, c.highLoadRate]);
    if (u < edges[0]!) return this.drop(req, reply);
    if (u < edges[1]!) return this.hold(req, reply);
    if (u < edges[2]!) {
      this.stats.fault('http_5xx');
      sendHtml(reply, this.rng() < 0.5 ? 502 : 503);
      return true;
    }
    if (u < edges[3]!) {
      this.stats.fault('rate_limit');
      void reply.header('retry-after', String(c.retryAfterS));
      sendHtml(reply, 429);
      return true;
    }
    if (u < edges[4]!) {
      this.stats.fault('high_load');
      void reply.code(200).send(fail(ERR.HIGH_LOAD));
      return true;
    }
    return false;
  }

  private drop(req: FastifyRequest, reply: FastifyReply): boolean {
    this.stats.fault('drop');
    reply.hijack();
    req.raw.socket.destroy();
    return true;
  }

  /** Never answers before `timeoutMs`; then a proxy-style 504, unless the client left first. */
  private hold(req: FastifyRequest, reply: FastifyReply): boolean {
    this.stats.fault('timeout');
    reply.hijack();
    const res = reply.raw;
    const timer = setTimeout(() => {
      this.held.delete(timer);
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(504, { 'content-type': 'text/html' }).end(html(504));
    }, this.config.timeoutMs);
    this.held.set(timer, req);
    res.once('close', () => {
      clearTimeout(timer);
      this.held.delete(timer);
    });
    return true;
  }
}

/** Running sums: [a, a+b, a+b+c, …]. */
function cumulative(rates: readonly number[]): number[] {
  let sum = 0;
  return rates.map((r) => (sum += r));
}
