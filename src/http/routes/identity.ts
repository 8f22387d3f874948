/** Who the bearer of this token is, and the roles the policy store gives them in their unit. */
import type { FastifyInstance } from 'fastify';

export async function identityRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/me',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              subject: { type: 'string' },
              unit: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
            },
            required: ['subject', 'unit', 'roles'],
          },
        },
      },
    },
    async (request) => {
      const { subject, unit } = request.caller;
      return { subject, unit, roles: await app.policy.rolesOf(subject, unit) };
    },
  );
}
