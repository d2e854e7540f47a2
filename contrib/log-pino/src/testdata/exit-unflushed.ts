// Run as a child process by pino-logger.test.ts:
//   node --conditions=kratos-source exit-unflushed.ts <file>
// Logs lines with multi-byte text to a file path destination (batched, asynchronous) and calls
// process.exit at once, without flushing: pino's exit hook must still write every line whole.
import { createLogHelper } from '@kratos/core';
import { createPinoLogger } from '../index.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: exit-unflushed.ts <file>');
const log = createLogHelper(createPinoLogger({ destination: file }));
for (let i = 0; i < 500; i++) log.infow('msg', 'größe ✓ 日本語 🚀', 'i', i);
process.exit(0);
