// Run once by tap before the test files: prepares the embedded database template.
import { ensureTemplate } from '../helpers/pglite-template.js';

if (process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === '') await ensureTemplate();
