import type { TestProject } from 'vitest/node';
import { start } from '@pixsim/mongo-dev';

/**
 * Gives every test worker a MongoDB: the one in MONGODB_URI when set (a real mongod in
 * CI, say), otherwise an in-memory mongo-dev server. Workers are forked after this runs,
 * so they inherit the variable.
 */
export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  if (process.env.MONGODB_URI) return async () => {};
  const server = await start({ port: 0 });
  process.env.MONGODB_URI = server.uri;
  return async () => {
    await server.stop();
    delete process.env.MONGODB_URI;
  };
}
