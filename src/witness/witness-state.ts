/**
 * A witness's durable state: per log origin, the latest checkpoint it cosigned. Kept in one JSON
 * file, replaced atomically (written beside it, fsynced, renamed, directory fsynced) before the
 * witness answers. Checks and updates are serialised in the process, so two requests cannot both
 * pass the old-size check against the same state; one witness process owns a state file.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseBase64Hash } from '../ledger/hashes.js';
import type { WitnessedHead } from './add-checkpoint.js';

interface StateFile {
  readonly version: 1;
  readonly logs: Record<string, { size: number; root: string }>;
}

export class WitnessStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WitnessStateError';
  }
}

function parseState(text: string, file: string): Map<string, WitnessedHead> {
  let parsed: StateFile;
  try {
    parsed = JSON.parse(text) as StateFile;
  } catch {
    throw new WitnessStateError(`${file} is not JSON`);
  }
  if (parsed?.version !== 1 || typeof parsed.logs !== 'object' || parsed.logs === null) {
    throw new WitnessStateError(`${file} is not a witness state file (version 1)`);
  }
  const heads = new Map<string, WitnessedHead>();
  for (const [origin, head] of Object.entries(parsed.logs)) {
    const root = typeof head?.root === 'string' ? parseBase64Hash(head.root) : undefined;
    if (!Number.isSafeInteger(head?.size) || head.size < 0 || root === undefined) {
      throw new WitnessStateError(`${file}: the state of ${origin} is not a size and a root`);
    }
    heads.set(origin, { size: head.size, root });
  }
  return heads;
}

export class WitnessState {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly heads: Map<string, WitnessedHead>,
  ) {}

  /** Opens the state file, or starts empty when it does not exist yet. */
  static async open(file: string): Promise<WitnessState> {
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return new WitnessState(file, text === undefined ? new Map() : parseState(text, file));
  }

  latest(origin: string): WitnessedHead | undefined {
    return this.heads.get(origin);
  }

  /**
   * Runs `step` with the latest head of `origin` alone; when it returns a new head, that head is
   * persisted before the step's result is returned.
   */
  exclusive<T>(origin: string, step: (latest: WitnessedHead | undefined) => { next?: WitnessedHead; result: T }): Promise<T> {
    const run = this.queue.then(async () => {
      const { next, result } = step(this.heads.get(origin));
      if (next !== undefined) {
        const updated = new Map(this.heads);
        updated.set(origin, next);
        await this.persist(updated);
        this.heads.set(origin, next);
      }
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async persist(heads: Map<string, WitnessedHead>): Promise<void> {
    const logs: StateFile['logs'] = {};
    for (const [origin, head] of heads) logs[origin] = { size: head.size, root: head.root.toString('base64') };
    const temporary = `${this.file}.next`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ version: 1, logs } satisfies StateFile, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    const directory = await open(dirname(this.file), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}
