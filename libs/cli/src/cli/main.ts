import { parseCommand } from './args.js';
import { resolveConfig } from './config.js';
import { CliError } from './errors.js';
import { createGatewayClient } from './gateway-client.js';
import { USAGE } from './help.js';
import type { CliIo } from './io.js';
import { accountsCommand } from './commands/accounts.js';
import { callbacksCommand } from './commands/callbacks.js';
import { dlqCommand } from './commands/dlq.js';
import { cancelCommand, jobCommand, resubmitCommand } from './commands/job.js';
import { jobsCommand } from './commands/jobs.js';
import { streamsCommand } from './commands/streams.js';
import { submitCommand } from './commands/submit.js';
import { usersCommand } from './commands/users.js';

/** Runs one `pixsim` invocation; resolves to the exit code and never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommand(argv);
    if (parsed.command === 'help' || parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    const values = parsed.values as { url?: string; token?: string; redis?: string; prefix?: string };
    const cfg = resolveConfig(values, io.env);
    const client = createGatewayClient(cfg, io.fetch);
    switch (parsed.command) {
      case 'submit':
        return await submitCommand(client, parsed, io);
      case 'jobs':
        return await jobsCommand(client, parsed, io);
      case 'job':
        return await jobCommand(client, parsed, io);
      case 'cancel':
        return await cancelCommand(client, parsed, io);
      case 'resubmit':
        return await resubmitCommand(client, parsed, io);
      case 'streams':
        return await streamsCommand(client, cfg, parsed, io);
      case 'dlq':
        return await dlqCommand(client, cfg, parsed, io);
      case 'accounts':
        return await accountsCommand(client, parsed, io);
      case 'callbacks':
        return await callbacksCommand(client, parsed, io);
      case 'users':
        return await usersCommand(client, parsed, io);
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`pixsim: ${err.message}\n${err.exitCode === 2 ? 'see: pixsim --help\n' : ''}`);
      return err.exitCode;
    }
    io.err(`pixsim: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
