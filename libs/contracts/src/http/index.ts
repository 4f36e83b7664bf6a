export * from './responses.js';
export * from './callback-signature.js';
