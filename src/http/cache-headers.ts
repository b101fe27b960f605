/**
 * HTTP caching of reused results: a strong `ETag` for one kept result in one representation,
 * `Age` and `Cache-Control` from its time in the cache, and `If-None-Match` matched against it.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CachedResult } from '../service/result-cache.js';

/**
 * The entity tag of a result in one representation: the request's key, the spooled result's
 * identity, and whatever else changes the bytes sent (format and its options, limits).
 */
export function entityTag(
  entry: CachedResult,
  representation: readonly (string | number | boolean)[],
): string {
  const hash = createHash('sha256').update(entry.key).update('\0').update(entry.result.id);
  for (const part of representation) hash.update('\0').update(String(part));
  return `"${hash.digest('base64url').slice(0, 32)}"`;
}

/** Whether `If-None-Match` names `etag` (weakly compared, as RFC 9110 says for this header) or is `*`. */
export function noneMatch(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** The caching headers of a reused result: `Age` only when it came from the cache. */
export function cacheHeaders(reply: FastifyReply, entry: CachedResult, etag: string, hit: boolean): void {
  const now = Date.now();
  const maxAge = Math.max(0, Math.floor((entry.expiresAt - now) / 1000));
  // Results are per tenant and row filters: no shared cache may keep them.
  reply.header('etag', etag).header('cache-control', `private, max-age=${maxAge}`).header('vary', 'accept');
  if (hit) reply.header('age', String(Math.max(0, Math.floor((now - entry.at) / 1000))));
}

/** Adds a field name to `Vary`, keeping those set before. */
export function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  const fields = typeof current === 'string' && current !== '' ? current.split(',').map((f) => f.trim()) : [];
  if (!fields.some((f) => f.toLowerCase() === field)) fields.push(field);
  reply.header('vary', fields.join(', '));
}
