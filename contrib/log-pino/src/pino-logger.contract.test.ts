import { Writable } from 'node:stream';
import type { LogLevel } from '@kratos/core';
import { describeLoggerContract, type LoggedLine } from '@kratos/testkit';
import { pino } from 'pino';
import { createPinoLogger } from './index.ts';

/** pino's numeric levels back to Kratos' names. */
const levelOf: Record<number, LogLevel> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A writable keeping each JSON line pino writes, decoded. */
function sink() {
  const lines: LoggedLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const text of String(chunk).split('\n')) {
        if (!text) continue;
        const { level, ...fields } = JSON.parse(text) as Record<string, unknown>;
        lines.push({ level: levelOf[level as number] ?? 'info', fields });
      }
      cb();
    },
  });
  return { stream, lines };
}

// The fast line (a logger made here with plain options) and pino's own serializer (a ready pino).
describeLoggerContract('log-pino (destination stream)', ({ level }) => {
  const { stream, lines } = sink();
  return { logger: createPinoLogger({ options: { level }, destination: stream }), lines: () => lines };
});

describeLoggerContract('log-pino (a ready pino logger)', ({ level }) => {
  const { stream, lines } = sink();
  return { logger: createPinoLogger({ pino: pino({ level }, stream) }), lines: () => lines };
});
