import { silentLog, type LogPort } from '@pixsim/contracts';

/** The logger port of contracts, under the name this lib has exported. */
export type ProviderLogger = LogPort;

export const silentProviderLogger: ProviderLogger = silentLog;
