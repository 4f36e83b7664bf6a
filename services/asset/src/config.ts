import { z } from 'zod';
import { exitOnConfigError, intFromEnv, loadConfig, sharedConfigShape } from '@pixsim/kit';

export const configSchema = z.object({
  ...sharedConfigShape,
  /**
   * Asset records are kept this many days after they were made: as long as their job (the
   * same variable as the gateway's and job-intake's, so they expire together).
   */
  PIXSIM_JOB_RETENTION_DAYS: intFromEnv({ min: 1, max: 36_500 }).default(90),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
