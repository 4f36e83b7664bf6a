import { setTimeout as sleep } from 'node:timers/promises';

/** What a command may touch of the outside world, so tests can drive it in process. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Progress redraws in place on a terminal and prints a line per change otherwise. */
  isTTY: boolean;
  fetch?: typeof fetch;
  /** How often `submit --wait` asks for the job (default 1000 ms). */
  pollMs?: number;
  sleep?(ms: number): Promise<void>;
  now?(): number;
  /** Everything on standard input, for secrets that must not go on the command line. */
  readStdin?(): Promise<string>;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function processIo(): CliIo {
  return {
    env: process.env,
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    readStdin: readProcessStdin,
  };
}

export const sleepOf = (io: CliIo): ((ms: number) => Promise<void>) => io.sleep ?? ((ms) => sleep(ms));
export const nowOf = (io: CliIo): (() => number) => io.now ?? Date.now;
