import type { LogSink } from './log-sink.js';

/**
 * SIGINT/SIGTERM/SIGHUP stop the system in order and exit 0; a second signal while
 * stopping kills every child at once and exits 1 (the operator has run out of patience).
 * SIGHUP is the terminal closing: by default it would end the supervisor alone and
 * leave the children (each in its own process group) running, holding their ports.
 */
export function installSignalHandlers(sink: LogSink, stop: () => Promise<void>, killAll: () => void): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received > 1) {
      sink.supervisor('warn', `${signal} again: killing every process now`);
      killAll();
      process.exit(1);
    }
    sink.supervisor('info', `${signal}: stopping the services, then the infrastructure (again to force)`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        sink.supervisor('error', `stop failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  // With the terminal gone, writing the stop's log lines fails; that must not end the stop.
  const ignoreWriteErrors = (): void => {
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
  };
  const onHangup = (signal: NodeJS.Signals): void => {
    ignoreWriteErrors();
    onSignal(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangup);
  };
}
