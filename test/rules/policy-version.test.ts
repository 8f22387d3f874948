import { createHash } from 'node:crypto';
import t from 'tap';
import { POLICY_FILES, policyVersion } from '../../src/rules/policy-version.js';

const TEXTS = { model: 'm', baseline: 'p, a, b', role_grants: 'roles: {}', regulation: 'name: x', gate: 'templates: []' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

t.test('the policy version is SHA-256 over a header and one line per file hash, in a fixed order', async (t) => {
  const expected = sha(
    `footage-warden policy/v1\nmodel ${sha('m')}\nbaseline ${sha('p, a, b')}\nrole_grants ${sha('roles: {}')}\nregulation ${sha('name: x')}\ngate ${sha('templates: []')}\n`,
  );
  const version = policyVersion(TEXTS);
  t.equal(version.version, expected);
  t.same(Object.keys(version.files), [...POLICY_FILES]);
  t.equal(version.files.gate, sha('templates: []'));
});

t.test('a change to any one file changes the version', async (t) => {
  const base = policyVersion(TEXTS).version;
  for (const name of POLICY_FILES) {
    t.not(policyVersion({ ...TEXTS, [name]: `${TEXTS[name]} ` }).version, base, name);
  }
});
