/**
 * The permission index's decision time on a large policy — 10,000 policy lines, 1,000 people, 50
 * units, 2,000 cameras in groups — beside casbin's enforce() on the same enforcer, and the time to
 * build the index from the enforcer (what a policy change costs each replica).
 */
import { readFile } from 'node:fs/promises';
import { newEnforcer, newModel } from 'casbin';
import { indexOf, MODEL_FILE } from '../src/policy/enforcer.js';
import { percentile } from './statistics.js';

const UNITS = 50;
const PEOPLE = 1_000;
const POLICY_LINES = 10_000;
const CAMERAS = 2_000;
const GROUPS = 100;
const ACTIONS = ['live', 'playback', 'export', 'broadcast'];
const LOOKUPS = Number(process.env.BENCH_INDEX_LOOKUPS ?? 200_000);
const ENFORCE_SAMPLE = Number(process.env.BENCH_ENFORCE_SAMPLE ?? 300);

/** A deterministic generator, so every run measures the same policy. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export async function benchPermissionIndex(): Promise<void> {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const units = Array.from({ length: UNITS }, (_, i) => `unit-${i}`);
  const roles = Array.from({ length: POLICY_LINES / UNITS / 10 }, (_, i) => `role-${i}`);
  const groups = Array.from({ length: GROUPS }, (_, i) => `group-${i}`);
  const cameras = Array.from({ length: CAMERAS }, (_, i) => `cam-${i}`);
  const people = Array.from({ length: PEOPLE }, (_, i) => `person-${i}`);

  const policy: string[][] = [];
  while (policy.length < POLICY_LINES) {
    policy.push([
      pick(roles),
      next() < 0.1 ? '*' : pick(units),
      next() < 0.2 ? 'camera' : pick(groups),
      pick(ACTIONS),
      next() < 0.1 ? 'deny' : 'allow',
    ]);
  }
  const assignments = people.flatMap((person) =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () => [person, pick(roles), pick(units)]),
  );
  const cameraGroups = cameras.flatMap((camera) => [
    [camera, 'camera'],
    [camera, pick(groups)],
  ]);
  const enforcer = await newEnforcer(newModel(await readFile(MODEL_FILE, 'utf8')));
  await enforcer.addPolicies(unique(policy));
  await enforcer.addNamedGroupingPolicies('g', unique(assignments));
  await enforcer.addNamedGroupingPolicies('g2', unique(cameraGroups));

  const buildStarted = performance.now();
  const index = await indexOf(enforcer);
  const buildMs = performance.now() - buildStarted;

  const requests = Array.from({ length: 10_000 }, () => [pick(people), pick(units), pick(cameras), pick(ACTIONS)] as const);
  for (const request of requests) index.allows(...request);
  const times = new Float64Array(LOOKUPS);
  let allowed = 0;
  for (let i = 0; i < LOOKUPS; i++) {
    const request = requests[i % requests.length] as (typeof requests)[number];
    const started = process.hrtime.bigint();
    if (index.allows(...request)) allowed++;
    times[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  times.sort();

  const sample = requests.slice(0, ENFORCE_SAMPLE);
  const enforceTimes = new Float64Array(sample.length);
  let disagreements = 0;
  for (const [i, request] of sample.entries()) {
    const started = process.hrtime.bigint();
    const expected = await enforcer.enforce(...request);
    enforceTimes[i] = Number(process.hrtime.bigint() - started) / 1000;
    if (expected !== index.allows(...request)) disagreements++;
  }
  enforceTimes.sort();

  console.log(
    `permission index: ${POLICY_LINES} policy lines, ${PEOPLE} people (${unique(assignments).length} assignments), ${UNITS} units, ${CAMERAS} cameras in ${GROUPS} groups`,
  );
  console.log(
    `  index     p50 ${percentile(times, 50).toFixed(2)} µs   p99 ${percentile(times, 99).toFixed(2)} µs   p99.9 ${percentile(times, 99.9).toFixed(2)} µs   over ${LOOKUPS} lookups (${((100 * allowed) / LOOKUPS).toFixed(0)}% allowed); built in ${buildMs.toFixed(0)} ms`,
  );
  console.log(
    `  enforce() p50 ${percentile(enforceTimes, 50).toFixed(0)} µs   p99 ${percentile(enforceTimes, 99).toFixed(0)} µs   over ${sample.length} calls; ` +
      `index p50 is ${(percentile(enforceTimes, 50) / percentile(times, 50)).toFixed(0)}× faster; ${disagreements} disagreements`,
  );
}

function unique(lines: string[][]): string[][] {
  return [...new Map(lines.map((line) => [line.join('\u0000'), line])).values()];
}
