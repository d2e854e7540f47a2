import { createMemorySource, type Logger, type LogLevel } from '@kratos/core';
import { createConfig } from './config.ts';

/** A logger that keeps its lines, for assertions. */
export interface MemoryLogger extends Logger {
  lines: { level: LogLevel; fields: Record<string, unknown> }[];
}

export function memoryLogger(): MemoryLogger {
  const lines: MemoryLogger['lines'] = [];
  return {
    lines,
    log(level, ...kv) {
      const fields: Record<string, unknown> = {};
      for (let i = 0; i < kv.length; i += 2) fields[String(kv[i])] = kv[i + 1];
      lines.push({ level, fields });
    },
  };
}

/** Polls `check` every 10 ms until it returns true; fails after `tries` attempts. */
export async function eventually(check: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for: ${what}`);
}

/** Resolves after pending promise callbacks and I/O callbacks have run. */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Marks a YAML document in a test (the text as is). */
export const yaml = (text: string) => text;

/** A memory source with one document per key; the format is the key's extension. */
export function memory(docs: Record<string, string>) {
  return createMemorySource(
    Object.entries(docs).map(([key, text]) => ({
      key,
      value: new TextEncoder().encode(text),
      format: key.slice(key.lastIndexOf('.') + 1),
    })),
  );
}

/** A loaded config over memory sources (one per argument, in order), with a recording logger. */
export async function loaded(docs: Record<string, string>, ...more: Record<string, string>[]) {
  const logger = memoryLogger();
  const sources = [memory(docs), ...more.map(memory)];
  const config = createConfig({ sources, logger });
  await config.load();
  return { config, logger, sources };
}
