export { startSystem, REPO_ROOT } from './start-system.js';
export type { StartSystemOptions, SystemHandle, SimulatorAccount, SimulatorOptions } from './types.js';
export type { ProcessView, ProcessState, ProcessSpec } from './managed-process.js';
export { ManagedProcess } from './managed-process.js';
export {
  DEFAULT_PORTS,
  DEFAULT_NODE_IMPORTS,
  REPLICA_PORT_STEP,
  replicaProcessName,
  scriptsFor,
  serviceNodeFlags,
  type Scripts,
} from './process-specs.js';
export { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
export { checkDependency, checkMongo, mongoSeeds, START_COMMANDS } from './infra-check.js';
export { createLogSink, type LogSink, type LogMode } from './log-sink.js';
export { formatLogLine } from './log-format.js';
export {
  lockDataDir,
  resolveSecrets,
  wipeDataDir,
  DATA_FILES,
  type DataDirLock,
  type SystemSecrets,
} from './data-dir.js';
export { applyEnvFile, type EnvFileResult } from './env-file.js';
export { seedSimulatorAccount } from './seed.js';
export { freePort } from './free-port.js';
export { SupervisorError, InfraUnavailableError, ProcessStartError, SeedError } from './errors.js';
