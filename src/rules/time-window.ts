/** Time windows as requests, decisions, grants and holds carry them: ISO 8601 instants. */

export interface TimeWindow {
  readonly from: string;
  readonly to: string;
}

/** Whether `inner` is a window (its end not before its start) lying entirely inside `outer`. */
export function windowWithin(inner: TimeWindow, outer: TimeWindow): boolean {
  const from = Date.parse(inner.from);
  const to = Date.parse(inner.to);
  return to >= from && from >= Date.parse(outer.from) && to <= Date.parse(outer.to);
}
