import { z } from 'zod';
import { exitOnConfigError, intFromEnv, loadConfig, sharedConfigShape } from '@pixsim/kit';

export const configSchema = z.object({
  ...sharedConfigShape,
  CONSUMER_NAME: z.string().min(1).optional(),
  CLAIM_TIMEOUT_MS: intFromEnv().optional(),
  MONGODB_DB: z.string().min(1).optional(),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
