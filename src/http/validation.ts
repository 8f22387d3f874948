/**
 * JSON Schema validation of requests. Bodies are validated as sent: no type coercion, no silent
 * removal of unknown members, formats enforced. Query strings, path parameters and headers arrive as
 * text, so scalars there are coerced to the schema's type.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function compilerWith(options: Options): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

export function requestValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = compilerWith({ coerceTypes: false });
  const coercing = compilerWith({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
