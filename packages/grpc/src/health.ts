import { create, createFileRegistry, type DescFile } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { type Context, KratosError } from '@kratos/core';
import type { GrpcMethodHandler, ServingStatus } from './types.ts';

/** `grpc.health.v1.HealthCheckRequest`. */
export interface HealthCheckRequest {
  service: string;
}
/** `grpc.health.v1.HealthCheckResponse`. */
export interface HealthCheckResponse {
  status: ServingStatus;
}

const STATUS_NUMBER: Record<ServingStatus, number> = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3,
};
const STATUS_NAME: readonly ServingStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

// Two one-field messages: written with the wire primitives rather than a descriptor registry.
const encodeRequest = (m: HealthCheckRequest): Buffer => {
  const w = new BinaryWriter();
  if (m.service) w.tag(1, WireType.LengthDelimited).string(m.service);
  return Buffer.from(w.finish());
};
const decodeRequest = (b: Uint8Array): HealthCheckRequest => {
  const r = new BinaryReader(b);
  let service = '';
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.LengthDelimited) service = r.string();
    else r.skip(wt, no);
  }
  return { service };
};
const encodeResponse = (m: HealthCheckResponse): Buffer => {
  const w = new BinaryWriter();
  const n = STATUS_NUMBER[m.status];
  if (n !== 0) w.tag(1, WireType.Varint).int32(n);
  return Buffer.from(w.finish());
};
const decodeResponse = (b: Uint8Array): HealthCheckResponse => {
  const r = new BinaryReader(b);
  let status: ServingStatus = 'UNKNOWN';
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.Varint) status = STATUS_NAME[r.int32()] ?? 'UNKNOWN';
    else r.skip(wt, no);
  }
  return { status };
};

/** What every `grpc.health.v1.Health` method path begins with. */
const HEALTH_PATH = '/grpc.health.v1.Health/';

/**
 * True for a call to `grpc.health.v1.Health`. Admission limiters never shed these: a balancer would
 * take an overloaded node for a dead one.
 */
export function isHealthCheck(path: string): boolean {
  return path.startsWith(HEALTH_PATH);
}

const method = <K extends 'Check' | 'Watch'>(
  name: K,
  stream: boolean,
): MethodDefinition<HealthCheckRequest, HealthCheckResponse> => ({
  path: `${HEALTH_PATH}${name}`,
  requestStream: false,
  responseStream: stream,
  requestSerialize: encodeRequest,
  requestDeserialize: decodeRequest,
  responseSerialize: encodeResponse,
  responseDeserialize: decodeResponse,
  originalName: name.toLowerCase(),
});

/** The `grpc.health.v1.Health` definition, for clients (`client.unary(healthDefinition.Check, ...)`). */
export const healthDefinition = {
  Check: method('Check', false),
  Watch: method('Watch', true),
} satisfies ServiceDefinition;

let healthFileCache: DescFile | undefined;

/**
 * `grpc/health/v1/health.proto` as a protobuf-es file, so reflection can describe the health
 * service as grpc-go's does. Built on first use, not at import.
 */
export function healthFile(): DescFile {
  if (healthFileCache) return healthFileCache;
  const OPT = FieldDescriptorProto_Label.OPTIONAL;
  const proto = create(FileDescriptorProtoSchema, {
    name: 'grpc/health/v1/health.proto',
    package: 'grpc.health.v1',
    syntax: 'proto3',
    messageType: [
      {
        name: 'HealthCheckRequest',
        field: [
          {
            name: 'service',
            number: 1,
            label: OPT,
            type: FieldDescriptorProto_Type.STRING,
            jsonName: 'service',
          },
        ],
      },
      {
        name: 'HealthCheckResponse',
        field: [
          {
            name: 'status',
            number: 1,
            label: OPT,
            type: FieldDescriptorProto_Type.ENUM,
            typeName: '.grpc.health.v1.HealthCheckResponse.ServingStatus',
            jsonName: 'status',
          },
        ],
        enumType: [
          {
            name: 'ServingStatus',
            value: STATUS_NAME.map((name, number) => ({ name, number })),
          },
        ],
      },
    ],
    service: [
      {
        name: 'Health',
        method: [
          {
            name: 'Check',
            inputType: '.grpc.health.v1.HealthCheckRequest',
            outputType: '.grpc.health.v1.HealthCheckResponse',
          },
          {
            name: 'Watch',
            inputType: '.grpc.health.v1.HealthCheckRequest',
            outputType: '.grpc.health.v1.HealthCheckResponse',
            serverStreaming: true,
          },
        ],
      },
    ],
  });
  healthFileCache = createFileRegistry(proto, () => undefined).getFile(proto.name)!;
  return healthFileCache;
}

/** The server half: status per service plus its registered handlers. */
export interface HealthService {
  readonly definition: ServiceDefinition;
  readonly handlers: Record<string, GrpcMethodHandler>;
  set(service: string, status: ServingStatus): void;
  /** Every known service SERVING (server started); `set` counts again. */
  resume(): void;
  /**
   * Every known service NOT_SERVING while the server still serves (its stop has begun, see the
   * App's `drainDelay`): watchers are told and stay open; `set` is ignored until `resume`, as
   * grpc-go's `Shutdown`.
   */
  drain(): void;
  /** Every known service NOT_SERVING, watchers told and ended (server stopping). */
  shutdown(): void;
}

/**
 * Health checking as grpc-go's health server does it: `''` is the whole server; Check of an
 * unknown service is NOT_FOUND; Watch of one answers SERVICE_UNKNOWN and keeps watching.
 */
export function createHealthService(): HealthService {
  const statuses = new Map<string, ServingStatus>([['', 'NOT_SERVING']]);
  const watchers = new Map<string, Set<(s: ServingStatus | undefined) => void>>();
  let shutdown = false;
  /** Draining or shut down: the statuses stay NOT_SERVING. */
  let frozen = false;

  const notify = (service: string, status: ServingStatus | undefined) => {
    for (const w of watchers.get(service) ?? []) w(status);
  };
  const set = (service: string, status: ServingStatus) => {
    if (statuses.get(service) === status) return;
    statuses.set(service, status);
    notify(service, status);
  };

  async function* watch(ctx: Context, req: HealthCheckRequest): AsyncIterable<HealthCheckResponse> {
    const service = req.service;
    // Latest-value queue: a slow watcher only needs the newest status.
    let pending: ServingStatus | undefined | null = statuses.get(service) ?? 'SERVICE_UNKNOWN';
    let ended = shutdown;
    let wake: (() => void) | undefined;
    const listener = (s: ServingStatus | undefined) => {
      if (s === undefined) ended = true;
      else pending = s;
      wake?.();
    };
    let set = watchers.get(service);
    if (!set) {
      set = new Set();
      watchers.set(service, set);
    }
    set.add(listener);
    const signal = ctx.signal;
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    let last: ServingStatus | undefined;
    try {
      while (!signal.aborted) {
        if (pending !== null && pending !== undefined && pending !== last) {
          last = pending;
          pending = null;
          yield { status: last };
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      set.delete(listener);
      if (set.size === 0) watchers.delete(service);
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    definition: healthDefinition,
    handlers: {
      Check: async (_ctx: Context, req: HealthCheckRequest): Promise<HealthCheckResponse> => {
        const status = statuses.get(req.service);
        if (status === undefined) throw new KratosError(404, '', `unknown service ${req.service}`);
        return { status };
      },
      Watch: watch,
    },
    set(service, status) {
      if (frozen) {
        if (!statuses.has(service)) statuses.set(service, 'NOT_SERVING');
        return;
      }
      set(service, status);
    },
    resume() {
      shutdown = false;
      frozen = false;
      for (const s of statuses.keys()) set(s, 'SERVING');
    },
    drain() {
      frozen = true;
      for (const s of statuses.keys()) set(s, 'NOT_SERVING');
    },
    shutdown() {
      shutdown = true;
      frozen = true;
      for (const s of statuses.keys()) set(s, 'NOT_SERVING');
      // Open Watch streams would hold a graceful stop open forever: end them after the update.
      for (const service of watchers.keys()) notify(service, undefined);
    },
  };
}
