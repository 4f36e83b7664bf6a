#!/usr/bin/env node
// The library ships TypeScript sources only; tsx compiles them on the fly.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/run.ts', import.meta.url).href);
