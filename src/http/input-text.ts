/**
 * Text the service would store, hash or hand to PostgreSQL must be well-formed Unicode without NUL:
 * a lone UTF-16 surrogate cannot be encoded as UTF-8 (RFC 8785 and the ledger's bytes would
 * disagree with the database's), and PostgreSQL's text types refuse U+0000. Every string in a
 * request's body, query and path parameters — member names included — is checked before
 * validation, so such input is a 400 naming the field and nothing is written.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type FieldError, ProblemError } from './problem.js';

/** With the u flag a surrogate pair is one astral code point; only a lone surrogate is in Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

function badText(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate';
  if (text.includes('\u0000')) return 'contains a NUL character';
  return undefined;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The first ill-formed string in `value`, as a JSON pointer and a message; undefined when none. */
export function findBadText(value: unknown, pointer = ''): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = badText(value);
    return message === undefined ? undefined : { path: pointer, message };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findBadText(item, `${pointer}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyMessage = badText(key);
    // A bad member name cannot be named faithfully; the pointer stops at its parent.
    if (keyMessage !== undefined) return { path: pointer, message: `has a member name that ${keyMessage}` };
    const found = findBadText(item, `${pointer}/${escapePointer(key)}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function check(request: FastifyRequest): void {
  const parts: [string, unknown][] = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ];
  for (const [location, value] of parts) {
    // A streamed body (an access log) is read, and its text checked, by its route.
    if (location === 'body' && typeof (value as { pipe?: unknown } | null)?.pipe === 'function') continue;
    const found = findBadText(value);
    if (found === undefined) continue;
    const error: FieldError = { location, path: found.path, message: found.message };
    throw new ProblemError('invalid-request', `${location}${found.path}: ${found.message}`, [error]);
  }
}

async function inputTextPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', async (request) => check(request));
}

export const inputText = fp(inputTextPlugin, { name: 'input-text', dependencies: ['errors'] });
