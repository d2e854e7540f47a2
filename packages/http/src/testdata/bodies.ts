// Test protos for bodies (built in code, no protoc in tests):
//
//   // google/api/httpbody.proto
//   package google.api;
//   message HttpBody { string content_type = 1; bytes data = 2; repeated google.protobuf.Any extensions = 3; }
//
//   // test/v1/files.proto
//   package test.v1;
//   message UploadRequest { string bucket = 1; }
//   message UploadReply { int64 bytes = 1; int64 rss_growth = 2; repeated string files = 3; repeated string fields = 4; }
//   message FileRequest { string name = 1; }
//   message PutFileRequest { string name = 1; google.api.HttpBody file = 2; }
//   message FileReply { string name = 1; google.api.HttpBody file = 2; }
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_any } from '@bufbuild/protobuf/wkt';

const T = { INT64: 3, STRING: 9, MESSAGE: 11, BYTES: 12 } as const;
const OPT = 1;
const REP = 3;

const f = (name: string, number: number, type: number, extra: Record<string, unknown> = {}) => ({
  name,
  number,
  type,
  label: OPT,
  jsonName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
  ...extra,
});

const httpbody = create(FileDescriptorProtoSchema, {
  name: 'google/api/httpbody.proto',
  package: 'google.api',
  syntax: 'proto3',
  dependency: ['google/protobuf/any.proto'],
  messageType: [
    {
      name: 'HttpBody',
      field: [
        f('content_type', 1, T.STRING),
        f('data', 2, T.BYTES),
        f('extensions', 3, T.MESSAGE, { label: REP, typeName: '.google.protobuf.Any' }),
      ],
    },
  ],
});

const files = create(FileDescriptorProtoSchema, {
  name: 'test/v1/files.proto',
  package: 'test.v1',
  syntax: 'proto3',
  dependency: ['google/api/httpbody.proto'],
  messageType: [
    { name: 'UploadRequest', field: [f('bucket', 1, T.STRING)] },
    {
      name: 'UploadReply',
      field: [
        f('bytes', 1, T.INT64),
        f('rss_growth', 2, T.INT64),
        f('files', 3, T.STRING, { label: REP }),
        f('fields', 4, T.STRING, { label: REP }),
      ],
    },
    { name: 'FileRequest', field: [f('name', 1, T.STRING)] },
    {
      name: 'PutFileRequest',
      field: [f('name', 1, T.STRING), f('file', 2, T.MESSAGE, { typeName: '.google.api.HttpBody' })],
    },
    {
      name: 'FileReply',
      field: [f('name', 1, T.STRING), f('file', 2, T.MESSAGE, { typeName: '.google.api.HttpBody' })],
    },
  ],
});

const registry = createFileRegistry(files, (name) =>
  name === 'google/api/httpbody.proto'
    ? httpbody
    : name === 'google/protobuf/any.proto'
      ? file_google_protobuf_any
      : undefined,
);

function message(name: string): DescMessage {
  const m = registry.getMessage(name);
  if (m === undefined) throw new Error(`test proto: no message ${name}`);
  return m;
}

export const HttpBodySchema = message('google.api.HttpBody');
export const UploadRequestSchema = message('test.v1.UploadRequest');
export const UploadReplySchema = message('test.v1.UploadReply');
export const FileRequestSchema = message('test.v1.FileRequest');
export const PutFileRequestSchema = message('test.v1.PutFileRequest');
export const FileReplySchema = message('test.v1.FileReply');
