/** Read-only queries of the transfer register, for routes that only read. */
export { listTransfers } from '../storage/transfer-repository.js';
