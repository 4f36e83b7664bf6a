import { z } from 'zod';
import { exitOnConfigError, jobRetentionShape, loadConfig, sharedConfigShape } from '@pixsim/kit';

export const configSchema = z.object({
  ...sharedConfigShape,
  ...jobRetentionShape,
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
