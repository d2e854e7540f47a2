import { type DescFile, type DescMessage, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { Context } from '@kratos/core';
import type { GrpcServer } from './types.ts';

/** A decoded `ServerReflectionRequest` (v1 and v1alpha share the wire format). */
export interface ReflectionRequest {
  host: string;
  fileByFilename?: string;
  fileContainingSymbol?: string;
  fileContainingExtension?: { containingType: string; extensionNumber: number };
  allExtensionNumbersOfType?: string;
  listServices?: string;
  /** The request bytes, echoed as `original_request`. */
  raw: Uint8Array;
}

/** A decoded `ServerReflectionResponse`. */
export interface ReflectionResponse {
  validHost: string;
  originalRequest?: Uint8Array;
  fileDescriptorProtos?: Uint8Array[];
  allExtensionNumbers?: { baseTypeName: string; numbers: number[] };
  services?: string[];
  error?: { code: number; message: string };
}

const LD = WireType.LengthDelimited;

function decodeRequest(bytes: Uint8Array): ReflectionRequest {
  const r = new BinaryReader(bytes);
  const out: ReflectionRequest = { host: '', raw: bytes };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (wt !== LD) {
      r.skip(wt, no);
      continue;
    }
    switch (no) {
      case 1:
        out.host = r.string();
        break;
      case 3:
        out.fileByFilename = r.string();
        break;
      case 4:
        out.fileContainingSymbol = r.string();
        break;
      case 5: {
        const e = new BinaryReader(r.bytes());
        const ext = { containingType: '', extensionNumber: 0 };
        while (e.pos < e.len) {
          const [eno, ewt] = e.tag();
          if (eno === 1 && ewt === LD) ext.containingType = e.string();
          else if (eno === 2 && ewt === WireType.Varint) ext.extensionNumber = e.int32();
          else e.skip(ewt, eno);
        }
        out.fileContainingExtension = ext;
        break;
      }
      case 6:
        out.allExtensionNumbersOfType = r.string();
        break;
      case 7:
        out.listServices = r.string();
        break;
      default:
        r.skip(wt, no);
    }
  }
  return out;
}

function encodeRequest(req: Omit<ReflectionRequest, 'raw'> & { raw?: Uint8Array }): Buffer {
  const w = new BinaryWriter();
  if (req.host) w.tag(1, LD).string(req.host);
  if (req.fileByFilename !== undefined) w.tag(3, LD).string(req.fileByFilename);
  if (req.fileContainingSymbol !== undefined) w.tag(4, LD).string(req.fileContainingSymbol);
  if (req.fileContainingExtension !== undefined) {
    w.tag(5, LD).fork();
    w.tag(1, LD).string(req.fileContainingExtension.containingType);
    w.tag(2, WireType.Varint).int32(req.fileContainingExtension.extensionNumber);
    w.join();
  }
  if (req.allExtensionNumbersOfType !== undefined) w.tag(6, LD).string(req.allExtensionNumbersOfType);
  if (req.listServices !== undefined) w.tag(7, LD).string(req.listServices);
  return Buffer.from(w.finish());
}

function encodeResponse(res: ReflectionResponse): Buffer {
  const w = new BinaryWriter();
  if (res.validHost) w.tag(1, LD).string(res.validHost);
  if (res.originalRequest) w.tag(2, LD).bytes(res.originalRequest);
  if (res.fileDescriptorProtos) {
    w.tag(4, LD).fork();
    for (const f of res.fileDescriptorProtos) w.tag(1, LD).bytes(f);
    w.join();
  }
  if (res.allExtensionNumbers) {
    w.tag(5, LD).fork();
    w.tag(1, LD).string(res.allExtensionNumbers.baseTypeName);
    if (res.allExtensionNumbers.numbers.length > 0) {
      w.tag(2, LD).fork();
      for (const n of res.allExtensionNumbers.numbers) w.int32(n);
      w.join();
    }
    w.join();
  }
  if (res.services) {
    w.tag(6, LD).fork();
    for (const s of res.services) {
      w.tag(1, LD).fork();
      w.tag(1, LD).string(s);
      w.join();
    }
    w.join();
  }
  if (res.error) {
    w.tag(7, LD).fork();
    if (res.error.code !== 0) w.tag(1, WireType.Varint).int32(res.error.code);
    if (res.error.message) w.tag(2, LD).string(res.error.message);
    w.join();
  }
  return Buffer.from(w.finish());
}

function decodeResponse(bytes: Uint8Array): ReflectionResponse {
  const r = new BinaryReader(bytes);
  const out: ReflectionResponse = { validHost: '' };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === LD) out.validHost = r.string();
    else if (no === 2 && wt === LD) out.originalRequest = r.bytes();
    else if (no === 4 && wt === LD) {
      const f = new BinaryReader(r.bytes());
      out.fileDescriptorProtos = [];
      while (f.pos < f.len) {
        const [fno, fwt] = f.tag();
        if (fno === 1 && fwt === LD) out.fileDescriptorProtos.push(f.bytes());
        else f.skip(fwt, fno);
      }
    } else if (no === 5 && wt === LD) {
      const e = new BinaryReader(r.bytes());
      const ext = { baseTypeName: '', numbers: [] as number[] };
      while (e.pos < e.len) {
        const [eno, ewt] = e.tag();
        if (eno === 1 && ewt === LD) ext.baseTypeName = e.string();
        else if (eno === 2 && ewt === LD) {
          const end = e.uint32() + e.pos;
          while (e.pos < end) ext.numbers.push(e.int32());
        } else if (eno === 2 && ewt === WireType.Varint) ext.numbers.push(e.int32());
        else e.skip(ewt, eno);
      }
      out.allExtensionNumbers = ext;
    } else if (no === 6 && wt === LD) {
      const l = new BinaryReader(r.bytes());
      out.services = [];
      while (l.pos < l.len) {
        const [lno, lwt] = l.tag();
        if (lno === 1 && lwt === LD) {
          const s = new BinaryReader(l.bytes());
          let name = '';
          while (s.pos < s.len) {
            const [sno, swt] = s.tag();
            if (sno === 1 && swt === LD) name = s.string();
            else s.skip(swt, sno);
          }
          out.services.push(name);
        } else l.skip(lwt, lno);
      }
    } else if (no === 7 && wt === LD) {
      const e = new BinaryReader(r.bytes());
      const err = { code: 0, message: '' };
      while (e.pos < e.len) {
        const [eno, ewt] = e.tag();
        if (eno === 1 && ewt === WireType.Varint) err.code = e.int32();
        else if (eno === 2 && ewt === LD) err.message = e.string();
        else e.skip(ewt, eno);
      }
      out.error = err;
    } else r.skip(wt, no);
  }
  return out;
}

const reflectionMethod = (pkg: string): MethodDefinition<ReflectionRequest, ReflectionResponse> => ({
  path: `/${pkg}.ServerReflection/ServerReflectionInfo`,
  requestStream: true,
  responseStream: true,
  requestSerialize: encodeRequest,
  requestDeserialize: decodeRequest,
  responseSerialize: encodeResponse,
  responseDeserialize: decodeResponse,
  originalName: 'serverReflectionInfo',
});

/** `grpc.reflection.v1.ServerReflection`, for clients. */
export const reflectionDefinition = {
  ServerReflectionInfo: reflectionMethod('grpc.reflection.v1'),
} satisfies ServiceDefinition;

/** `grpc.reflection.v1alpha.ServerReflection` (what older grpcurl and grpc_cli ask), for clients. */
export const reflectionV1AlphaDefinition = {
  ServerReflectionInfo: reflectionMethod('grpc.reflection.v1alpha'),
} satisfies ServiceDefinition;

/** Files and symbols of the registered services. */
export interface ReflectionIndex {
  addService(name: string, file: DescFile | undefined): void;
  fileByName(name: string): DescFile | undefined;
  fileBySymbol(symbol: string): DescFile | undefined;
  fileByExtension(containingType: string, number: number): DescFile | undefined;
  extensionNumbers(typeName: string): number[] | undefined;
  /** Serialized FileDescriptorProto, cached. */
  bytes(file: DescFile): Uint8Array;
}

/** Builds the reflection index; files are added with their dependencies. */
export function createReflectionIndex(): ReflectionIndex {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const extensions = new Map<string, Map<number, DescFile>>();
  const messageTypes = new Set<string>();
  const encoded = new WeakMap<DescFile, Uint8Array>();

  const addMessage = (file: DescFile, m: DescMessage) => {
    symbols.set(m.typeName, file);
    messageTypes.add(m.typeName);
    for (const f of m.fields) symbols.set(`${m.typeName}.${f.name}`, file);
    for (const n of m.nestedMessages) addMessage(file, n);
    for (const e of m.nestedEnums) symbols.set(e.typeName, file);
    for (const x of m.nestedExtensions) addExtension(file, x);
  };
  const addExtension = (file: DescFile, x: DescFile['extensions'][number]) => {
    symbols.set(x.typeName, file);
    let byNumber = extensions.get(x.extendee.typeName);
    if (!byNumber) {
      byNumber = new Map();
      extensions.set(x.extendee.typeName, byNumber);
    }
    byNumber.set(x.number, file);
  };
  const addFile = (file: DescFile) => {
    const name = file.proto.name;
    if (files.has(name)) return;
    files.set(name, file);
    for (const m of file.messages) addMessage(file, m);
    for (const e of file.enums) symbols.set(e.typeName, file);
    for (const x of file.extensions) addExtension(file, x);
    for (const s of file.services) {
      symbols.set(s.typeName, file);
      for (const m of s.methods) symbols.set(`${s.typeName}.${m.name}`, file);
    }
    for (const d of file.dependencies) addFile(d);
  };

  return {
    addService(_name, file) {
      if (file) addFile(file);
    },
    fileByName: (name) => files.get(name),
    fileBySymbol: (symbol) => symbols.get(symbol.startsWith('.') ? symbol.slice(1) : symbol),
    fileByExtension: (type, number) => extensions.get(type)?.get(number),
    extensionNumbers: (type) =>
      messageTypes.has(type) ? [...(extensions.get(type)?.keys() ?? [])] : undefined,
    bytes(file) {
      let b = encoded.get(file);
      if (!b) {
        b = toBinary(FileDescriptorProtoSchema, file.proto);
        encoded.set(file, b);
      }
      return b;
    },
  };
}

const NOT_FOUND = 5;

/** Registers v1 and v1alpha reflection on `server`, answering from `index`. */
export function registerReflection(
  server: GrpcServer,
  index: ReflectionIndex,
  services: () => string[],
): void {
  async function* info(
    _ctx: Context,
    reqs: AsyncIterable<ReflectionRequest>,
  ): AsyncIterable<ReflectionResponse> {
    // grpc-go sends a file with the dependencies the stream has not seen yet; so does this.
    const sent = new Set<string>();
    const withDeps = (file: DescFile): Uint8Array[] => {
      const out: Uint8Array[] = [];
      const visit = (f: DescFile, root: boolean) => {
        if (!root && sent.has(f.proto.name)) return;
        sent.add(f.proto.name);
        out.push(index.bytes(f));
        for (const d of f.dependencies) visit(d, false);
      };
      visit(file, true);
      return out;
    };
    for await (const req of reqs) {
      const base = { validHost: req.host, originalRequest: req.raw };
      const notFound = (what: string): ReflectionResponse => ({
        ...base,
        error: { code: NOT_FOUND, message: `${what} not found` },
      });
      if (req.listServices !== undefined) {
        yield { ...base, services: services() };
      } else if (req.fileByFilename !== undefined) {
        const f = index.fileByName(req.fileByFilename);
        yield f ? { ...base, fileDescriptorProtos: withDeps(f) } : notFound(`file ${req.fileByFilename}`);
      } else if (req.fileContainingSymbol !== undefined) {
        const f = index.fileBySymbol(req.fileContainingSymbol);
        yield f
          ? { ...base, fileDescriptorProtos: withDeps(f) }
          : notFound(`symbol ${req.fileContainingSymbol}`);
      } else if (req.fileContainingExtension !== undefined) {
        const { containingType, extensionNumber } = req.fileContainingExtension;
        const f = index.fileByExtension(containingType, extensionNumber);
        yield f
          ? { ...base, fileDescriptorProtos: withDeps(f) }
          : notFound(`extension ${containingType}(${extensionNumber})`);
      } else if (req.allExtensionNumbersOfType !== undefined) {
        const numbers = index.extensionNumbers(req.allExtensionNumbersOfType);
        yield numbers
          ? { ...base, allExtensionNumbers: { baseTypeName: req.allExtensionNumbersOfType, numbers } }
          : notFound(`type ${req.allExtensionNumbersOfType}`);
      } else {
        yield { ...base, error: { code: 12, message: 'unknown reflection request' } };
      }
    }
  }
  server.registerService(reflectionDefinition, { ServerReflectionInfo: info });
  server.registerService(reflectionV1AlphaDefinition, { ServerReflectionInfo: info });
}
