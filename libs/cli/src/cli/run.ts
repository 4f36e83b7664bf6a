import { processIo } from './io.js';
import { runCli } from './main.js';

// Entry of bin/pixsim.js. exitCode, not exit(): let stdout drain first.
process.exitCode = await runCli(process.argv.slice(2), processIo());
