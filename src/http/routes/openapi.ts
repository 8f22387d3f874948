/** The hand-written contract at /openapi.yaml, and Swagger UI over it at /docs. */
import { readFile } from 'node:fs/promises';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { packagePath } from '../../package-root.js';

export const OPENAPI_FILE = packagePath('openapi.yaml');

export async function openapiRoutes(app: FastifyInstance): Promise<void> {
  const text = await readFile(OPENAPI_FILE, 'utf8');
  // Documentation is public: every route registered in this context answers without a token.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), public: true };
  });
  app.get('/openapi.yaml', async (_request, reply) => reply.type('application/yaml; charset=utf-8').send(text));
  await app.register(swagger, { mode: 'static', specification: { document: parse(text) } });
  // Swagger UI's pages carry a content security policy: scripts and styles from this origin only
  // (its inline ones by hash), no fonts or styles from elsewhere and no external validator badge.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) =>
      `${header.replaceAll(' https:', '').replace(' validator.swagger.io', '').replace(' upgrade-insecure-requests;', '')} form-action 'none';`,
    uiConfig: { validatorUrl: null },
  });
}
