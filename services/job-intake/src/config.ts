import { z } from 'zod';
import { exitOnConfigError, intFromEnv, loadConfig, sharedConfigShape } from '@pixsim/kit';

export const configSchema = z.object({
  ...sharedConfigShape,
  /**
   * Ended jobs' records are kept this many days after the job ended, as the gateway keeps its
   * read model (the same variable, so both expire together).
   */
  PIXSIM_JOB_RETENTION_DAYS: intFromEnv({ min: 1, max: 36_500 }).default(90),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
