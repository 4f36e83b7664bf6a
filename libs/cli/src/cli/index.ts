export { runCli } from './main.js';
export { processIo, type CliIo } from './io.js';
export { parseCommand, type ParsedCommand } from './args.js';
export { resolveConfig, DEFAULT_URL, type CliConfig } from './config.js';
export { createGatewayClient, GatewayUnreachableError, type GatewayClient } from './gateway-client.js';
export { CliError, UsageError } from './errors.js';
export { USAGE } from './help.js';
