export { createXmlCodec, XML_CONTENT_TYPES, type XmlCodecOptions, xmlCodec } from './xml-codec.ts';
