// A small test proto built in code (no protoc in tests):
//
//   syntax = "proto3"; package test.v1;
//   enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
//   message User { string id = 1; string display_name = 2; }
//   message EchoRequest {
//     string name = 1; int64 big = 2; int32 num = 3; bool flag = 4; Color color = 5;
//     repeated int64 ids = 6; User user = 7; map<string, string> labels = 8;
//     google.protobuf.Timestamp at = 9; double ratio = 10; repeated string tags = 11;
//     bytes data = 12; google.protobuf.StringValue nick = 13; uint64 big_u = 14; string path = 15;
//   }
//   message HelloRequest { string name = 1; }
//   message HelloReply { string message = 1; }
//   message UpdateUserRequest { string id = 1; User user = 2; string mask = 3; }
//   message UserReply { User user = 1; int32 version = 2; }
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from '@bufbuild/protobuf/wkt';

const T = {
  DOUBLE: 1,
  INT64: 3,
  UINT64: 4,
  INT32: 5,
  BOOL: 8,
  STRING: 9,
  MESSAGE: 11,
  BYTES: 12,
  ENUM: 14,
} as const;
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

const file = create(FileDescriptorProtoSchema, {
  name: 'test/v1/echo.proto',
  package: 'test.v1',
  syntax: 'proto3',
  dependency: ['google/protobuf/timestamp.proto', 'google/protobuf/wrappers.proto'],
  enumType: [
    {
      name: 'Color',
      value: [
        { name: 'COLOR_UNSPECIFIED', number: 0 },
        { name: 'RED', number: 1 },
        { name: 'GREEN', number: 2 },
      ],
    },
  ],
  messageType: [
    { name: 'User', field: [f('id', 1, T.STRING), f('display_name', 2, T.STRING)] },
    {
      name: 'EchoRequest',
      field: [
        f('name', 1, T.STRING),
        f('big', 2, T.INT64),
        f('num', 3, T.INT32),
        f('flag', 4, T.BOOL),
        f('color', 5, T.ENUM, { typeName: '.test.v1.Color' }),
        f('ids', 6, T.INT64, { label: REP }),
        f('user', 7, T.MESSAGE, { typeName: '.test.v1.User' }),
        f('labels', 8, T.MESSAGE, { label: REP, typeName: '.test.v1.EchoRequest.LabelsEntry' }),
        f('at', 9, T.MESSAGE, { typeName: '.google.protobuf.Timestamp' }),
        f('ratio', 10, T.DOUBLE),
        f('tags', 11, T.STRING, { label: REP }),
        f('data', 12, T.BYTES),
        f('nick', 13, T.MESSAGE, { typeName: '.google.protobuf.StringValue' }),
        f('big_u', 14, T.UINT64),
        f('path', 15, T.STRING),
      ],
      nestedType: [
        {
          name: 'LabelsEntry',
          field: [f('key', 1, T.STRING), f('value', 2, T.STRING)],
          options: { mapEntry: true },
        },
      ],
    },
    { name: 'HelloRequest', field: [f('name', 1, T.STRING)] },
    { name: 'HelloReply', field: [f('message', 1, T.STRING)] },
    {
      name: 'UpdateUserRequest',
      field: [
        f('id', 1, T.STRING),
        f('user', 2, T.MESSAGE, { typeName: '.test.v1.User' }),
        f('mask', 3, T.STRING),
      ],
    },
    {
      name: 'UserReply',
      field: [f('user', 1, T.MESSAGE, { typeName: '.test.v1.User' }), f('version', 2, T.INT32)],
    },
  ],
});

const registry = createFileRegistry(file, (name) =>
  name === 'google/protobuf/timestamp.proto'
    ? file_google_protobuf_timestamp
    : name === 'google/protobuf/wrappers.proto'
      ? file_google_protobuf_wrappers
      : undefined,
);

function message(name: string): DescMessage {
  const m = registry.getMessage(`test.v1.${name}`);
  if (m === undefined) throw new Error(`test proto: no message ${name}`);
  return m;
}

export const UserSchema = message('User');
export const EchoRequestSchema = message('EchoRequest');
export const HelloRequestSchema = message('HelloRequest');
export const HelloReplySchema = message('HelloReply');
export const UpdateUserRequestSchema = message('UpdateUserRequest');
export const UserReplySchema = message('UserReply');
