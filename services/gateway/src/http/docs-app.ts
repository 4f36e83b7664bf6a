import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifySchema, type HTTPMethods } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { installDocumentFix, installOperationIds } from './operation-ids.js';

/** A documented route of the gateway, as it was registered: what the OpenAPI document is built from. */
export interface DocumentedRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema: FastifySchema;
}

const answerNothing = async () => null;

/**
 * A fastify app of its own that serves the OpenAPI document and Swagger UI under /docs:
 * @fastify/swagger reads the gateway's routes (their zod schemas, stubbed here with
 * handlers that are never called) and swagger-ui serves its assets. It is imported and
 * built on the first /docs request (docs.ts): the swagger modules, the UI's assets and
 * the document itself are not worth their memory in a replica nobody reads the docs of.
 */
export async function buildDocsApp(routes: readonly DocumentedRoute[]): Promise<FastifyInstance> {
  const docs = Fastify({ logger: false });
  // The schemas are zod, for the document only (the gateway validates in its handlers).
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await docs.register(swagger, {
    openapi: {
      info: { title: 'pixsim API', version: '1.0.0', description: 'Video generation jobs.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'access token, psk_ API key or the admin token' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  installOperationIds(docs);
  installDocumentFix(docs);
  for (const route of routes) docs.route({ ...route, exposeHeadRoute: false, handler: answerNothing });
  await docs.ready();
  return docs;
}
