import { useCallback, useEffect, useRef, useState } from 'react';
import { isProblem, type ApiProblem } from './api/client';

export interface Polled<T> {
  data: T | undefined;
  problem: ApiProblem | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads now and again every `everyMs` while the tab is visible (0: once). `deps`
 * restart it (a new filter); a slow answer never overwrites a newer one.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const value = await loadRef.current();
      if (mine !== seq.current) return;
      setData(value);
      setProblem(undefined);
    } catch (err) {
      if (mine !== seq.current) return;
      setProblem(
        isProblem(err)
          ? err
          : { status: 0, code: 'NETWORK', message: String((err as Error)?.message ?? err), fields: {} },
      );
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);
  // Its dependencies are the caller's (`deps`), which the linter cannot see through: biome.json exempts this file.
  useEffect(() => {
    setLoading(true);
    setData(undefined);
    void run();
    if (!everyMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, everyMs);
    return () => {
      clearInterval(timer);
      seq.current++;
    };
  }, deps);
  return { data, problem, loading, reload: () => void run() };
}

/** The current time, ticking every second (countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
