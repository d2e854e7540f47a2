// Protobuf binary for the common message shapes, without protobuf-es' per-message writer and
// reader objects: a reply is sized, then written once into a pooled Buffer (with room for a frame
// header in front when asked), and a request is read straight from its frame. Messages of other
// shapes (shape.ts), and every message that strays from what its descriptor promises (unknown
// fields, a value of the wrong type, a wire type that does not match, invalid UTF-8), go through
// protobuf-es' toBinary / fromBinary instead, so the bytes and messages are the ones protobuf-es
// gives (proto-binary.test.ts compares them).
export { decodeBinary } from './read.ts';
export { readsAndWritesItself } from './shape.ts';
export { encodeBinary } from './write.ts';
