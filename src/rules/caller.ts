/** Who is calling: the token names the person or client and their unit; nothing more is trusted. */
export interface Caller {
  readonly subject: string;
  readonly unit: string;
}

/** The actor of an entry a caller's request records: who acted, for which unit. */
export function actorOf(caller: { readonly subject: string; readonly unit: string | null }) {
  return { unit: caller.unit, subject: caller.subject };
}
