// `kratos.api.Metadata`, as Go Kratos registers it on every gRPC server (api/metadata): tools ask
// it which services a server has (ListServices) and for a service's protos (GetServiceDesc, a
// FileDescriptorSet of the service's file and everything it imports).
import {
  create,
  createFileRegistry,
  type DescFile,
  type DescMessage,
  fromBinary,
  type Message,
  toBinary,
} from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  file_google_protobuf_descriptor,
} from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { type Context, KratosError } from '@kratos/core';
import type { GrpcMethodHandler, RegisterServiceOptions } from './types.ts';

/** `kratos.api.ListServicesReply`: service names and their methods as `/service/Method`. */
export interface ListServicesReply {
  services: string[];
  methods: string[];
}

/** `kratos.api.GetServiceDescReply`: the service's file and its imports, dependencies first. */
export interface GetServiceDescReply {
  fileDescSet?: { file: FileDescriptorProto[] };
}

/** What {@link registerMetadataService} needs of a server: gRPC's and @kratos/rpc's both fit. */
export interface MetadataServiceHost {
  registerService(
    definition: ServiceDefinition,
    handlers: Record<string, GrpcMethodHandler>,
    options?: RegisterServiceOptions,
  ): void;
}

let metadataFileCache: DescFile | undefined;

/**
 * `metadata/metadata.proto` (package `kratos.api`) as Go Kratos ships it, as a protobuf-es file,
 * so reflection describes the service and grpcurl can call it. Built on first use. (Go's file
 * also imports google/api/annotations.proto for its HTTP options; the wire format does not
 * depend on them, so this one leaves them out.)
 */
export function metadataFile(): DescFile {
  if (metadataFileCache) return metadataFileCache;
  const OPT = FieldDescriptorProto_Label.OPTIONAL;
  const REP = FieldDescriptorProto_Label.REPEATED;
  const STRING = FieldDescriptorProto_Type.STRING;
  const proto = create(FileDescriptorProtoSchema, {
    name: 'metadata/metadata.proto',
    package: 'kratos.api',
    dependency: ['google/protobuf/descriptor.proto'],
    syntax: 'proto3',
    messageType: [
      { name: 'ListServicesRequest' },
      {
        name: 'ListServicesReply',
        field: [
          { name: 'services', number: 1, label: REP, type: STRING, jsonName: 'services' },
          { name: 'methods', number: 2, label: REP, type: STRING, jsonName: 'methods' },
        ],
      },
      {
        name: 'GetServiceDescRequest',
        field: [{ name: 'name', number: 1, label: OPT, type: STRING, jsonName: 'name' }],
      },
      {
        name: 'GetServiceDescReply',
        field: [
          {
            name: 'file_desc_set',
            number: 1,
            label: OPT,
            type: FieldDescriptorProto_Type.MESSAGE,
            typeName: '.google.protobuf.FileDescriptorSet',
            jsonName: 'fileDescSet',
          },
        ],
      },
    ],
    service: [
      {
        name: 'Metadata',
        method: [
          {
            name: 'ListServices',
            inputType: '.kratos.api.ListServicesRequest',
            outputType: '.kratos.api.ListServicesReply',
          },
          {
            name: 'GetServiceDesc',
            inputType: '.kratos.api.GetServiceDescRequest',
            outputType: '.kratos.api.GetServiceDescReply',
          },
        ],
      },
    ],
    options: { javaPackage: 'com.github.kratos.api', javaMultipleFiles: true, objcClassPrefix: 'KratosAPI' },
  });
  const registry = createFileRegistry(proto, (name) =>
    name === file_google_protobuf_descriptor.proto.name ? file_google_protobuf_descriptor : undefined,
  );
  metadataFileCache = registry.getFile(proto.name)!;
  return metadataFileCache;
}

function message(name: string): DescMessage {
  return metadataFile().messages.find((m) => m.name === name)!;
}

function method<I, O>(name: string, input: string, output: string): MethodDefinition<I, O> {
  const serialize = (schema: () => DescMessage) => (value: unknown) =>
    Buffer.from(toBinary(schema(), create(schema(), value as never)));
  const deserialize = (schema: () => DescMessage) => (bytes: Buffer) =>
    fromBinary(schema(), bytes) as unknown;
  return {
    path: `/kratos.api.Metadata/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize(() => message(input)),
    requestDeserialize: deserialize(() => message(input)) as (b: Buffer) => I,
    responseSerialize: serialize(() => message(output)),
    responseDeserialize: deserialize(() => message(output)) as (b: Buffer) => O,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

/** `kratos.api.Metadata`, for clients (and the server registration). */
export const metadataDefinition = {
  ListServices: method<Record<string, never>, ListServicesReply>(
    'ListServices',
    'ListServicesRequest',
    'ListServicesReply',
  ),
  GetServiceDesc: method<{ name: string }, GetServiceDescReply>(
    'GetServiceDesc',
    'GetServiceDescRequest',
    'GetServiceDescReply',
  ),
} satisfies ServiceDefinition;

/** `file` and everything it imports, each once, dependencies before the files importing them. */
function withDependencies(file: DescFile): FileDescriptorProto[] {
  const out: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    for (const d of f.dependencies) visit(d);
    out.push(f.proto);
  };
  visit(file);
  return out;
}

/**
 * Serves `kratos.api.Metadata` on `server`, answering for every service registered on it from
 * now on, itself included (register it first, as the servers do, so health and reflection are
 * listed too, as Go Kratos lists everything on its grpc.Server). A service registered without
 * its protobuf-es `file` is listed; GetServiceDesc answers NOT_FOUND for it.
 */
export function registerMetadataService(server: MetadataServiceHost): void {
  const services = new Map<string, { methods: string[]; file: DescFile | undefined }>();
  const register = server.registerService.bind(server);
  server.registerService = (definition, handlers, options) => {
    register(definition, handlers, options);
    const paths = Object.values(definition).map((m) => m.path);
    const name = paths[0]?.split('/')[1];
    if (name !== undefined) services.set(name, { methods: paths, file: options?.file });
  };
  const handlers: Record<string, GrpcMethodHandler> = {
    ListServices: async (): Promise<Message> =>
      create(message('ListServicesReply'), {
        services: [...services.keys()],
        methods: [...services.values()].flatMap((s) => s.methods),
      } as never),
    GetServiceDesc: async (_ctx: Context, req: { name: string }): Promise<Message> => {
      const name = req.name;
      const file = services.get(name)?.file;
      if (file === undefined) throw new KratosError(404, '', `service ${name} not found`);
      return create(message('GetServiceDescReply'), {
        fileDescSet: { file: withDependencies(file) },
      } as never);
    },
  };
  server.registerService(metadataDefinition, handlers, { file: metadataFile() });
}
