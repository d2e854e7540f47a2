// ProtoJSON for the common message shapes without protobuf-es' reflective reader and writer: the
// canonical form of each value is read here from JSON.parse's value, and messages are written
// here as text. Every other input, and every message that strays from its descriptor, goes to
// protobuf-es' fromJsonString / toJsonString, so the messages, texts and errors are the ones
// protobuf-es gives (proto-json.test.ts compares them).
export { decodeJson } from './read.ts';
export { encodeJson } from './write.ts';
