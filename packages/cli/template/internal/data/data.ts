import { createLogHelper, type Logger } from '@kratos/core';
import type { Data } from '../conf/conf_pb.js';

/** Connections the repositories share (database, cache). In-memory by default. */
export interface DataStore {
  readonly greeters: Map<string, { hello: string }>;
  close(): Promise<void>;
}

/** Opens the data layer; `close` releases it when the app stops. */
export function createData(conf: Data | undefined, logger: Logger): DataStore {
  const log = createLogHelper(logger);
  log.infof('data: using %s store', conf?.database?.driver || 'memory');
  const greeters = new Map<string, { hello: string }>();
  return {
    greeters,
    async close() {
      log.info('closing the data resources');
    },
  };
}
