import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { context, trace } from '@opentelemetry/api';
import { childSpan, failed } from './tracing.js';

const traced = new WeakSet<GraphQLFieldResolver<unknown, unknown>>();

/**
 * Gives each top-level field of the schema's queries a span (`graphql.resolve <field>`), in
 * which its queries run: a dashboard's panels show as sibling spans under the request's, each
 * with the compile, session lease and Spark execution it caused (none when the answer was
 * cached or joined another field's). Nested fields only read the answer and get no span.
 * Changes the schema in place and returns it.
 */
export function traceFields(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    if (field.resolve !== undefined && traced.has(field.resolve)) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    const wrapped: GraphQLFieldResolver<unknown, unknown> = (source, args, ctx, info) => {
      const span = childSpan(`graphql.resolve ${info.fieldName}`, {
        attributes: { 'graphql.field.name': info.fieldName, 'graphql.field.path': String(info.path.key) },
      });
      if (!span.isRecording()) return resolve(source, args, ctx, info);
      const fail = (err: unknown): never => {
        failed(span, err);
        span.end();
        throw err;
      };
      try {
        const value = context.with(trace.setSpan(context.active(), span), () =>
          resolve(source, args, ctx, info),
        );
        if (!(value instanceof Promise)) {
          span.end();
          return value;
        }
        return value.then((resolved: unknown) => {
          span.end();
          return resolved;
        }, fail);
      } catch (err) {
        return fail(err);
      }
    };
    traced.add(wrapped);
    field.resolve = wrapped;
  }
  return schema;
}
