/** Whether the database answers and every migration is applied (/readyz). */
export { checkReadiness } from '../storage/readiness.js';
