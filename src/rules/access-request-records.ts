/** An access request, the grant its approval issued and the legal hold placed with it, as stored. */
export interface RequestRow {
  readonly id: string;
  readonly kind: 'state_organ' | 'emergency';
  readonly requester: string;
  readonly requesterUnit: string;
  readonly targetUnit: string;
  readonly status: 'submitted' | 'approved' | 'rejected' | 'withdrawn';
  readonly approvalsNeeded: 1 | 2;
  readonly approvers: readonly string[];
  readonly cameraIds: readonly string[];
  readonly window: { readonly from: string; readonly to: string };
  readonly actions: readonly string[];
  readonly caseNo: string | null;
  readonly expiryHours: number;
  /** The request asks the unit to preserve its window beyond retention. */
  readonly legalHold: boolean;
  readonly submittedSeq: number;
  readonly createdAt: string;
}

export interface HoldRow {
  readonly id: string;
  readonly requestId: string;
  readonly unitId: string;
  readonly cameraIds: readonly string[];
  readonly window: { readonly from: string; readonly to: string };
  readonly placedAt: string;
  readonly releasedAt: string | null;
}

export interface GrantRow {
  readonly id: string;
  readonly requestId: string;
  readonly grantee: string;
  readonly unitId: string;
  readonly cameraIds: readonly string[];
  readonly window: { readonly from: string; readonly to: string };
  readonly actions: readonly string[];
  readonly validUntil: string;
  readonly revokedAt: string | null;
  readonly uses: number;
}

/** The settings of access requests, from the configuration. */
export interface RequestSettings {
  /** Officers a state-organ request must name (the unit's policy: two by default). */
  readonly officersRequired: number;
  /** Default and longest grant of a state-organ request, in hours (72 by default). */
  readonly stateOrganGrantHours: number;
  /** Default and longest grant of an emergency request, in hours (4 by default). */
  readonly emergencyGrantHours: number;
}
