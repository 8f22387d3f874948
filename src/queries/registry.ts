/** Read-only queries of the registry, for routes that only read. */
export { listRecords, ownerOf } from '../storage/registry-repository.js';
