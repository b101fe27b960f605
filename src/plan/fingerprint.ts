/**
 * A plan's fingerprint: equal plans, asked for in the same context, have equal fingerprints.
 * Result caches and the de-duplication of identical queries in flight are keyed by it.
 */
import { createHash } from 'node:crypto';
import { toBinary } from '@bufbuild/protobuf';
import { PlanSchema, type Plan } from '../gen/spark/connect/base_pb.js';

/**
 * SHA-256 (base64url) of the context parts, each ended by a NUL, then of the plan's protobuf
 * bytes. Parameters are part of the plan (literals and arguments), so they count; the context
 * holds what the plan does not say but the answer depends on (whose sessions, the row cap).
 */
export function planFingerprint(plan: Plan, context: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const part of context) hash.update(part).update('\0');
  return hash.update(toBinary(PlanSchema, plan)).digest('base64url');
}
