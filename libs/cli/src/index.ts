export * from './supervisor/index.js';
export * from './cli/index.js';
