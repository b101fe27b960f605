/**
 * `Accept-Encoding` negotiation (RFC 9110 §12.5.3) for the text result formats: q-values,
 * `identity`, `*` and `q=0` refusals, parsed by `negotiator`; among codings of equal weight zstd
 * is preferred to br, br to gzip, and any of them to identity. zstd is offered only where the
 * runtime's zlib has it (Node 22.15 and later), decided once when the module loads.
 */
import zlib from 'node:zlib';
import Negotiator from 'negotiator';
import { Errors, withExtras } from '../errors/catalogue.js';

/** `Negotiator#encodings` as negotiator 1.x has it. */
interface Ranked {
  encodings(available: readonly string[], options: { preferred: readonly string[] }): string[];
}

export type Coding = 'zstd' | 'br' | 'gzip' | 'identity';

/** Whether this runtime's zlib compresses zstd. */
export const ZSTD_AVAILABLE =
  typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function';

/** The codings offered here, best first; identity last. */
export const OFFERED: readonly Coding[] = ZSTD_AVAILABLE
  ? ['zstd', 'br', 'gzip', 'identity']
  : ['br', 'gzip', 'identity'];

/**
 * The coding to send for an `Accept-Encoding` header: identity when the header is absent or
 * empty or names none of ours; a 406 only when the header refuses identity and all of ours.
 */
export function negotiateCoding(acceptEncoding: string | undefined, offered = OFFERED): Coding {
  if (acceptEncoding === undefined || acceptEncoding.trim() === '') return 'identity';
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }) as unknown as Ranked;
  // Negotiator breaks ties by the order of `preferred` (its type declarations lag behind it).
  const [best] = negotiator.encodings(offered, { preferred: offered });
  if (best !== undefined) return best as Coding;
  throw withExtras(
    new Errors.NotAcceptable(`none of the accepted content codings is offered: ${acceptEncoding}`),
    {
      allowed: offered,
    },
  );
}

/** Whether an `Accept-Encoding` header lets a response go without a content coding. */
export function acceptsIdentity(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return true;
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } });
  return negotiator.encodings(['identity']).length > 0;
}
