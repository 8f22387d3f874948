/**
 * Which fields of which entry kinds are personal (policies/personal-fields.yaml), and sealing a
 * draft accordingly: each personal value is replaced by its commitment (src/ledger/sealing.ts) and
 * returned as an opening tagged with the data subject it belongs to.
 */
import { parse } from 'yaml';
import type { EntryDraft } from '../ledger/entry.js';
import { escapeToken, type SubjectOpening, sealFields, splitPointer, valueAt } from '../ledger/sealing.js';
import type { TreeHash } from '../ledger/tree-hash.js';

export interface PersonalField {
  /** Pointer pattern of the personal value. */
  readonly field: string;
  /** Pointer pattern of the id of the person it belongs to; "*" takes the field's indices in order. */
  readonly subject: string;
}

export interface Classification {
  /** Per classified kind, its personal fields: those listed under `all`, then the kind's own. */
  readonly kinds: ReadonlyMap<string, readonly PersonalField[]>;
}

export class ClassificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassificationError';
  }
}

const POINTER = /^(\/[^/]+)+$/;

function parseFields(value: unknown, where: string): PersonalField[] {
  if (!Array.isArray(value)) throw new ClassificationError(`${where}: expected a list`);
  return value.map((item, i) => {
    const field = (item as { field?: unknown }).field;
    const subject = (item as { subject?: unknown }).subject;
    if (typeof field !== 'string' || !POINTER.test(field) || typeof subject !== 'string' || !POINTER.test(subject)) {
      throw new ClassificationError(`${where}[${i}]: expected { field: /pointer, subject: /pointer }`);
    }
    const wildcards = (pattern: string) => splitPointer(pattern).filter((token) => token === '*').length;
    if (wildcards(subject) > wildcards(field))
      throw new ClassificationError(`${where}[${i}]: the subject has more "*" than the field`);
    return { field, subject };
  });
}

export function parseClassification(text: string): Classification {
  const document = parse(text) as { all?: unknown; kinds?: unknown } | null;
  if (document === null || typeof document !== 'object' || typeof document.kinds !== 'object' || document.kinds === null) {
    throw new ClassificationError('expected "all" and "kinds"');
  }
  const own = Object.entries(document.kinds as Record<string, unknown>).map(
    ([kind, fields]) => [kind, parseFields(fields ?? [], kind)] as const,
  );
  const all = parseFields(document.all ?? [], 'all');
  return { kinds: new Map(own.map(([kind, fields]) => [kind, [...all, ...fields]])) };
}

/** The personal fields of `kind`; undefined when the kind is not classified (which must refuse the write). */
export function personalFieldsOf(classification: Classification, kind: string): readonly PersonalField[] | undefined {
  return classification.kinds.get(kind);
}

/** The subject pointer for a concrete field pointer: each "*" takes the field's matched index in turn. */
function subjectPointer(field: PersonalField, concrete: string): string {
  if (!field.subject.includes('*')) return field.subject;
  const pattern = splitPointer(field.field);
  const actual = splitPointer(concrete);
  const indices = pattern.flatMap((token, i) => (token === '*' ? [actual[i] as string] : []));
  let next = 0;
  return `/${splitPointer(field.subject)
    .map((token) => (token === '*' ? (indices[next++] as string) : escapeToken(token)))
    .join('/')}`;
}

/** Seals every personal field of a draft; each value must name its data subject. */
export function sealDraft<D extends Omit<EntryDraft, 'time'>>(
  draft: D,
  classification: Classification,
  salt?: () => Buffer,
  hasher?: TreeHash,
): { draft: D; openings: SubjectOpening[] } {
  const fields = personalFieldsOf(classification, draft.kind);
  if (fields === undefined) throw new ClassificationError(`entry kind ${draft.kind} has no personal-field classification`);
  const result = sealFields(
    draft,
    fields.map((field) => field.field),
    salt,
    hasher,
  );
  const openings: SubjectOpening[] = result.openings.map(({ pattern, pointer, value, salt: fieldSalt }) => {
    const field = fields[pattern] as PersonalField;
    const subjectId = valueAt(draft, subjectPointer(field, pointer));
    if (typeof subjectId !== 'string' || subjectId === '') {
      throw new ClassificationError(`${pointer} of ${draft.kind} has no data subject at ${field.subject}`);
    }
    return { pointer, value, salt: fieldSalt, subjectId };
  });
  return { draft: result.sealed, openings };
}
