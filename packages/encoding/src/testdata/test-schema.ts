import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_field_mask,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from '@bufbuild/protobuf/wkt';

// A test message built at run time (no codegen step for tests):
//   message User { string name = 1; int32 id = 2; int64 big = 3; bool ok = 4; Status status = 5;
//     repeated string tags = 6; map<string,string> labels = 7; Address address = 8;
//     google.protobuf.Timestamp created_at = 9; google.protobuf.FieldMask mask = 10;
//     google.protobuf.Int32Value count = 11; bytes data = 12; double ratio = 13; repeated int32 ids = 14; }
//   message Address { string city = 1; string zip_code = 2; }
//   enum Status { STATUS_UNSPECIFIED = 0; ACTIVE = 1; BLOCKED = 2; }
const opt = Label.OPTIONAL;
const rep = Label.REPEATED;
const field = (
  name: string,
  number: number,
  type: Type,
  label = opt,
  typeName?: string,
  jsonName?: string,
) => ({
  name,
  number,
  type,
  label,
  jsonName: jsonName ?? name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
  ...(typeName ? { typeName } : {}),
});

const file = create(FileDescriptorProtoSchema, {
  name: 'test/v1/user.proto',
  package: 'test.v1',
  syntax: 'proto3',
  dependency: [
    'google/protobuf/timestamp.proto',
    'google/protobuf/field_mask.proto',
    'google/protobuf/wrappers.proto',
  ],
  enumType: [
    {
      name: 'Status',
      value: [
        { name: 'STATUS_UNSPECIFIED', number: 0 },
        { name: 'ACTIVE', number: 1 },
        { name: 'BLOCKED', number: 2 },
      ],
    },
  ],
  messageType: [
    {
      name: 'User',
      field: [
        field('name', 1, Type.STRING),
        field('id', 2, Type.INT32),
        field('big', 3, Type.INT64),
        field('ok', 4, Type.BOOL),
        field('status', 5, Type.ENUM, opt, '.test.v1.Status'),
        field('tags', 6, Type.STRING, rep),
        field('labels', 7, Type.MESSAGE, rep, '.test.v1.User.LabelsEntry'),
        field('address', 8, Type.MESSAGE, opt, '.test.v1.Address'),
        field('created_at', 9, Type.MESSAGE, opt, '.google.protobuf.Timestamp'),
        field('mask', 10, Type.MESSAGE, opt, '.google.protobuf.FieldMask'),
        field('count', 11, Type.MESSAGE, opt, '.google.protobuf.Int32Value'),
        field('data', 12, Type.BYTES),
        field('ratio', 13, Type.DOUBLE),
        field('ids', 14, Type.INT32, rep),
      ],
      nestedType: [
        {
          name: 'LabelsEntry',
          field: [field('key', 1, Type.STRING), field('value', 2, Type.STRING)],
          options: { mapEntry: true },
        },
      ],
    },
    { name: 'Address', field: [field('city', 1, Type.STRING), field('zip_code', 2, Type.STRING)] },
  ],
});

const deps: Record<string, typeof file_google_protobuf_timestamp> = {
  'google/protobuf/timestamp.proto': file_google_protobuf_timestamp,
  'google/protobuf/field_mask.proto': file_google_protobuf_field_mask,
  'google/protobuf/wrappers.proto': file_google_protobuf_wrappers,
};

const registry = createFileRegistry(file, (name) => deps[name]);

export const UserSchema: DescMessage = registry.getMessage('test.v1.User')!;
export const AddressSchema: DescMessage = registry.getMessage('test.v1.Address')!;
export const testRegistry = registry;
