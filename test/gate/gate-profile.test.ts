import { readFile } from 'node:fs/promises';
import t from 'tap';
import { GateProfileError, parseGateProfile } from '../../src/gate/gate-profile.js';
import { GATE_PROFILE_FILE, REGULATION_PROFILE_FILE } from '../../src/profiles.js';
import { parseRegulationProfile } from '../../src/rules/regulation-profile.js';

const regulation = parseRegulationProfile(await readFile(REGULATION_PROFILE_FILE, 'utf8'));
const shipped = await readFile(GATE_PROFILE_FILE, 'utf8');

t.test('the shipped gate profile maps live, playback and export paths and MediaMTX paths', async (t) => {
  const profile = parseGateProfile(shipped, regulation);
  t.same(
    profile.paths.map((item) => [item.source.template, item.source.action]),
    [
      ['/live/{camera}/...', 'live'],
      ['/hls/{camera}/{from}/{to}/...', 'playback'],
      ['/export/{camera}/{from}/{to}/...', 'export'],
    ],
  );
  t.equal(profile.mediamtx.livePurpose, 'public_safety');
  t.equal(profile.mediamtx.playbackReason, undefined, 'playback states its own reason');
  t.same([...profile.mediamtx.allowedActions], []);
});

t.test('a bad gate profile is refused naming the field', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['action: live\n    purpose: public_safety', 'action: stare\n    purpose: public_safety', /paths\[0\]\.action/],
    ['purpose: case_handling', 'purpose: curiosity', /paths\[2\]\.purpose: "curiosity" is not a purpose/],
    ['/hls/{camera}/{from}/{to}/...', '/hls/{camera}/...', /paths\[1\]\.template/],
    ['path: "{camera}"', 'path: "cams/{id}"', /mediamtx\.path/],
    ['allowed_actions: []', 'allowed_actions: [read]', /mediamtx\.allowed_actions/],
    ['  playback:\n    purpose: public_safety\n', '', /mediamtx\.playback/],
  ];
  for (const [from, to, error] of cases) {
    const text = shipped.replace(from, to);
    t.not(text, shipped, `the case replaces ${from}`);
    t.throws(() => parseGateProfile(text, regulation), error, String(error));
  }
  t.throws(() => parseGateProfile('paths: []', regulation), GateProfileError);
  t.throws(() => parseGateProfile('- 1', regulation), GateProfileError);
});
