export * from './responses.js';
export * from './callback-signature.js';
export * from './field-issues.js';
