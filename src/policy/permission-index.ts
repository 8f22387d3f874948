/**
 * The decision path's permission check: an index built once from the same policy lines the casbin
 * enforcer holds (policies/model.conf), answering exactly as its `enforce()` does without scanning
 * every line. test/policy/permission-index.test.ts proves the equivalence on random policies.
 *
 * The model it mirrors: a request (sub, dom, obj, act) is allowed when some allow line matches and no
 * deny line does; a line matches when its subject is the requester or one of the roles the requester
 * holds in that domain (g, transitively), its domain is "*" or the request's, its object is "*", the
 * object or a group the object belongs to (g2, transitively), and its action is "*" or the request's.
 */

export type PolicyLine = readonly [subject: string, domain: string, object: string, action: string, effect: string];
/** g: (member, role, domain). */
export type RoleLine = readonly [member: string, role: string, domain: string];
/** g2: (member, group). */
export type GroupLine = readonly [member: string, group: string];

/** casbin's DefaultRoleManager follows at most this many links (its maxHierarchyLevel). */
const MAX_HIERARCHY = 10;
const ALLOW = 1;
const DENY = 2;
const WILDCARD = '*';
const SEPARATOR = '\u0000';
/** Memoised closures are dropped beyond this many; they are rebuilt on demand. */
const CACHE_LIMIT = 100_000;

/** subject → domain → object → action → ALLOW | DENY bits of the lines with exactly those fields. */
type LineIndex = Map<string, Map<string, Map<string, Map<string, number>>>>;

function child<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Everything reachable from `start` within MAX_HIERARCHY links, `start` included. */
function reachable(start: string, links: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set([start]);
  let frontier = [start];
  for (let depth = 0; depth < MAX_HIERARCHY && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const target of links.get(node) ?? []) {
        if (!seen.has(target)) {
          seen.add(target);
          next.push(target);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

function addLink(links: Map<string, string[]>, from: string, to: string): void {
  const targets = links.get(from);
  if (targets === undefined) links.set(from, [to]);
  else if (!targets.includes(to)) targets.push(to);
}

function effectsIn(byObject: Map<string, Map<string, number>> | undefined, objects: readonly string[], action: string): number {
  if (byObject === undefined) return 0;
  let effects = 0;
  for (const object of objects) {
    const byAction = byObject.get(object);
    if (byAction === undefined) continue;
    effects |= byAction.get(action) ?? 0;
    if (action !== WILDCARD) effects |= byAction.get(WILDCARD) ?? 0;
  }
  return effects;
}

export class PermissionIndex {
  private readonly lines: LineIndex = new Map();
  /** Per domain, the role links of that domain. */
  private readonly roleLinks = new Map<string, Map<string, string[]>>();
  private readonly groupLinks = new Map<string, string[]>();
  private readonly rolesCache = new Map<string, readonly string[]>();
  private readonly groupsCache = new Map<string, readonly string[]>();

  constructor(policy: readonly PolicyLine[], roles: readonly RoleLine[], groups: readonly GroupLine[]) {
    for (const [subject, domain, object, action, effect] of policy) {
      const bit = effect === 'allow' ? ALLOW : effect === 'deny' ? DENY : 0;
      const actions = child(
        child(
          child(this.lines, subject, () => new Map()),
          domain,
          () => new Map(),
        ),
        object,
        () => new Map(),
      );
      actions.set(action, (actions.get(action) ?? 0) | bit);
    }
    for (const [member, role, domain] of roles) {
      let links = this.roleLinks.get(domain);
      if (links === undefined) {
        links = new Map();
        this.roleLinks.set(domain, links);
      }
      addLink(links, member, role);
    }
    for (const [member, group] of groups) addLink(this.groupLinks, member, group);
  }

  /** The subject and every role it holds in the domain. */
  rolesOf(subject: string, domain: string): readonly string[] {
    const cacheKey = `${subject}${SEPARATOR}${domain}`;
    let roles = this.rolesCache.get(cacheKey);
    if (roles === undefined) {
      roles = reachable(subject, this.roleLinks.get(domain) ?? new Map());
      if (this.rolesCache.size >= CACHE_LIMIT) this.rolesCache.clear();
      this.rolesCache.set(cacheKey, roles);
    }
    return roles;
  }

  /** The object, every group it belongs to, and "*" (which every object matches). */
  groupsOf(object: string): readonly string[] {
    let groups = this.groupsCache.get(object);
    if (groups === undefined) {
      const reached = reachable(object, this.groupLinks);
      groups = reached.includes(WILDCARD) ? reached : [...reached, WILDCARD];
      if (this.groupsCache.size >= CACHE_LIMIT) this.groupsCache.clear();
      this.groupsCache.set(object, groups);
    }
    return groups;
  }

  allows(subject: string, domain: string, object: string, action: string): boolean {
    let effects = 0;
    let objects: readonly string[] | undefined;
    for (const role of this.rolesOf(subject, domain)) {
      const byDomain = this.lines.get(role);
      if (byDomain === undefined) continue;
      objects ??= this.groupsOf(object);
      effects |= effectsIn(byDomain.get(domain), objects, action);
      if (domain !== WILDCARD) effects |= effectsIn(byDomain.get(WILDCARD), objects, action);
    }
    return effects === ALLOW;
  }
}
