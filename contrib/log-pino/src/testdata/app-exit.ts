// Run as a child process by pino-logger.test.ts:
//   node --conditions=kratos-source app-exit.ts <file>
// Logs through an asynchronous, buffered file destination, stops the App and exits at once: the
// last line must still be in the file, because the App's stop flushes the logger.
import { createApp, createLogHelper } from '@kratos/core';
import { pino } from 'pino';
import { createPinoLogger } from '../index.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: app-exit.ts <file>');
const logger = createPinoLogger({
  destination: pino.destination({ dest: file, sync: false, minLength: 8192 }),
});
const log = createLogHelper(logger);
const app = createApp({
  name: 'app-exit',
  logger,
  signals: [],
  afterStart: () => {
    for (let i = 0; i < 100; i++) log.infow('msg', 'working', 'i', i);
    log.infow('msg', 'the last line');
    app.stop();
  },
});
await app.run();
process.exit(0);
