/**
 * The `policy.loaded` entry: at start, the version of the rules this process decides under and the
 * SHA-256 of each file it is made of (rules/policy-version.ts), so that an auditor can tell from the
 * ledger alone which rules made any decision. A halted ledger records nothing; the process starts
 * halted and says why.
 */

import type { Receipt } from '../ledger/receipt.js';
import { LedgerIntegrityError } from '../ledger-store/ledger-integrity.js';
import type { PolicyVersion } from '../rules/policy-version.js';
import type { LedgerWriter } from './ledger-writer.js';

export async function recordLoadedPolicy(
  writer: LedgerWriter,
  policy: PolicyVersion,
  regulationProfile: string,
): Promise<Receipt | undefined> {
  try {
    return await writer.record({
      kind: 'policy.loaded',
      actor: { unit: null, subject: 'footage-warden' },
      payload: {
        version: policy.version,
        files: Object.fromEntries(Object.entries(policy.files).map(([name, hash]) => [name, { sha256: hash }])),
        regulation_profile: regulationProfile,
      },
    });
  } catch (error) {
    if (error instanceof LedgerIntegrityError) return undefined;
    throw error;
  }
}
