/**
 * Whether an end-to-end test (a real nginx, a real browser) runs. FOOTAGE_WARDEN_E2E=required
 * (CI's PostgreSQL run) makes a missing program a failure; =skip (CI's second, embedded-database
 * run, where the engine makes no difference to them) skips them; unset, they run when the program
 * is installed.
 */
export function e2eSkip(installed: boolean, program: string): string | false {
  const mode = process.env.FOOTAGE_WARDEN_E2E;
  if (mode === 'skip') return 'end-to-end tests run once per CI run, against PostgreSQL';
  if (mode !== 'required' && !installed) return `${program} is not installed`;
  return false;
}
