import type { Codec } from './codec.ts';
import { jsonCodec } from './json.ts';

/** Codecs by name and by media type. */
export interface CodecRegistry {
  /** Adds (or replaces) a codec under its name and content type. */
  register(codec: Codec, ...extraContentTypes: string[]): this;
  byName(name: string): Codec | undefined;
  /**
   * The codec for a Content-Type or Accept value: exact media type, then the subtype
   * (`application/x-protobuf` -> `x-protobuf` then `protobuf`), then a `+json`-style suffix.
   */
  byContentType(contentType: string): Codec | undefined;
  list(): Codec[];
}

/** Lower-cased media type without parameters: `Application/JSON; charset=utf-8` -> `application/json`. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** Makes a codec registry; JSON is always in it. */
export function createCodecRegistry(codecs: readonly Codec[] = []): CodecRegistry {
  const names = new Map<string, Codec>();
  const types = new Map<string, Codec>();
  const cache = new Map<string, Codec | null>();

  const lookup = (ct: string): Codec | undefined => {
    const media = mediaType(ct);
    const exact = types.get(media);
    if (exact) return exact;
    const slash = media.indexOf('/');
    let sub = slash === -1 ? media : media.slice(slash + 1);
    const plus = sub.lastIndexOf('+');
    if (plus !== -1) sub = sub.slice(plus + 1);
    const bySub = names.get(sub) ?? names.get(sub.replace(/^x-/, ''));
    if (bySub) return bySub;
    if (sub === 'protobuf' || sub === 'x-protobuf') return names.get('proto');
    return undefined;
  };

  const registry: CodecRegistry = {
    register(codec, ...extra) {
      names.set(codec.name, codec);
      types.set(mediaType(codec.contentType), codec);
      for (const t of extra) types.set(mediaType(t), codec);
      cache.clear();
      return registry;
    },
    byName: (name) => names.get(name),
    byContentType(ct) {
      const hit = cache.get(ct);
      if (hit !== undefined) return hit ?? undefined;
      const found = lookup(ct);
      if (cache.size < 1000) cache.set(ct, found ?? null);
      return found;
    },
    list: () => [...names.values()],
  };
  registry.register(jsonCodec);
  for (const c of codecs) registry.register(c);
  return registry;
}
