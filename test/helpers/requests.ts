/** A state organ's access request to riverside-psb of the example registry, for tests of later steps. */
export function stateOrganRequest(
  caseNo: string,
  scope: { camera_ids: string[]; window: { from: string; to: string }; actions: string[] },
) {
  return {
    kind: 'state_organ',
    target_unit: 'riverside-psb',
    legal_basis: {
      statute: 'Criminal Procedure Law art. 54',
      document_no: 'RP-1',
      case_no: caseNo,
      document_sha256: 'c'.repeat(64),
    },
    officers: [
      { name: 'Zhou Lan', badge_no: 'P-1023' },
      { name: 'Qian Hui', badge_no: 'P-1187' },
    ],
    scope,
    purpose: 'evidence',
    reason: 'robbery near Central Square',
  };
}
