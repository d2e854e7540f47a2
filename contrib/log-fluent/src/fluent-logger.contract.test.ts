import { FluentServer } from '@fluent-org/logger';
import type { LogLevel } from '@kratos/core';
import { describeLoggerContract, type LoggedLine } from '@kratos/testkit';
import { createFluentLogger } from './index.ts';

// Each test gets a real forward-protocol receiver (the client library's own server, with acks) on
// a free loopback port; the tag after the prefix is the level.
describeLoggerContract(
  'log-fluent (forward protocol to a real receiver)',
  async ({ level }) => {
    const lines: LoggedLine[] = [];
    const server = new FluentServer({ listenOptions: { host: '127.0.0.1', port: 0 } });
    server.on('entry', (tag: string, _time: unknown, record: Record<string, unknown>) => {
      const word = tag.slice(tag.lastIndexOf('.') + 1).toLowerCase() as LogLevel;
      lines.push({ level: word, fields: { ...record } });
    });
    await server.listen();
    const logger = createFluentLogger({
      address: `tcp://127.0.0.1:${server.port as number}`,
      tagPrefix: 'contract',
      level,
    });
    return {
      logger,
      lines: () => lines,
      close: async () => {
        await logger.close();
        await server.close();
      },
    };
  },
  { stringValues: true },
);
