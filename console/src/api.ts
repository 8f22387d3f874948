/** The service's API as the console uses it: every call carries the signed-in bearer token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'footage-warden-token';

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

async function failure(response: Response): Promise<ApiError> {
  let detail = response.statusText;
  try {
    const problem = (await response.json()) as { detail?: string };
    if (typeof problem.detail === 'string') detail = problem.detail;
  } catch {
    // Not a problem document: keep the status text.
  }
  return new ApiError(response.status, `${response.status}: ${detail}`);
}

export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const token = savedToken();
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}

export async function text(path: string): Promise<string> {
  return (await call(path)).text();
}

/** The pieces of a streamed text response between `separator`s, as they arrive; then the rest. */
async function* pieces(response: Response, separator: string): AsyncGenerator<string> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (reader === undefined) return;
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf(separator);
    while (end >= 0) {
      yield buffer.slice(0, end);
      buffer = buffer.slice(end + separator.length);
      end = buffer.indexOf(separator);
    }
  }
  if (buffer !== '') yield buffer;
}

/** Reads an NDJSON response line by line as it arrives. */
export async function* ndjson<T>(response: Response): AsyncGenerator<T> {
  for await (const line of pieces(response, '\n')) {
    if (line.trim() !== '') yield JSON.parse(line) as T;
  }
}

/** One Server-Sent Event: its id, type and data. */
export interface StreamedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
}

/**
 * Reads a text/event-stream with the bearer token (EventSource cannot send one), calling `onEvent`
 * for each event; reconnects after a drop with the last event id, until `signal` aborts.
 */
export async function listenToEvents(path: string, onEvent: (event: StreamedEvent) => void, signal: AbortSignal): Promise<void> {
  let lastId = '';
  while (!signal.aborted) {
    try {
      const response = await call(path, { signal, headers: lastId === '' ? {} : { 'last-event-id': lastId } });
      for await (const block of pieces(response, '\n\n')) {
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        const data = fields.get('data');
        if (data !== undefined) {
          lastId = fields.get('id') ?? lastId;
          onEvent({ id: lastId, type: fields.get('event') ?? 'message', data });
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}
