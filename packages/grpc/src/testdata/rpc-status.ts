// google.rpc.Status and google.rpc.ErrorInfo as protobuf-es schemas, built from descriptors in
// code: an encoder independent of the hand-written one in status.ts, to check the wire format.
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
} from '@bufbuild/protobuf/wkt';

const OPT = FieldDescriptorProto_Label.OPTIONAL;
const REP = FieldDescriptorProto_Label.REPEATED;
const T = FieldDescriptorProto_Type;

const statusFile = create(FileDescriptorProtoSchema, {
  name: 'google/rpc/status.proto',
  package: 'google.rpc',
  syntax: 'proto3',
  dependency: ['google/protobuf/any.proto'],
  messageType: [
    {
      name: 'Status',
      field: [
        { name: 'code', number: 1, label: OPT, type: T.INT32, jsonName: 'code' },
        { name: 'message', number: 2, label: OPT, type: T.STRING, jsonName: 'message' },
        {
          name: 'details',
          number: 3,
          label: REP,
          type: T.MESSAGE,
          typeName: '.google.protobuf.Any',
          jsonName: 'details',
        },
      ],
    },
  ],
});

const detailsFile = create(FileDescriptorProtoSchema, {
  name: 'google/rpc/error_details.proto',
  package: 'google.rpc',
  syntax: 'proto3',
  messageType: [
    {
      name: 'ErrorInfo',
      field: [
        { name: 'reason', number: 1, label: OPT, type: T.STRING, jsonName: 'reason' },
        { name: 'domain', number: 2, label: OPT, type: T.STRING, jsonName: 'domain' },
        {
          name: 'metadata',
          number: 3,
          label: REP,
          type: T.MESSAGE,
          typeName: '.google.rpc.ErrorInfo.MetadataEntry',
          jsonName: 'metadata',
        },
      ],
      nestedType: [
        {
          name: 'MetadataEntry',
          field: [
            { name: 'key', number: 1, label: OPT, type: T.STRING, jsonName: 'key' },
            { name: 'value', number: 2, label: OPT, type: T.STRING, jsonName: 'value' },
          ],
          options: { mapEntry: true },
        },
      ],
    },
  ],
});

const statusRegistry = createFileRegistry(statusFile, (n) =>
  n === 'google/protobuf/any.proto' ? file_google_protobuf_any : undefined,
);
const detailsRegistry = createFileRegistry(detailsFile, () => undefined);

export const RpcStatusSchema = statusRegistry.getMessage('google.rpc.Status') as DescMessage;
export const ErrorInfoSchema = detailsRegistry.getMessage('google.rpc.ErrorInfo') as DescMessage;
