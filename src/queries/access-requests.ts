/** Read-only queries of access requests, their grants and holds, for routes that only read. */
export {
  caseReferences,
  type GrantRow,
  grantOfRequest,
  type HoldRow,
  holdOfRequest,
  listHolds,
  listRequests,
  type RequestRow,
  readGrant,
  readHold,
  readRequest,
} from '../storage/access-request-repository.js';
