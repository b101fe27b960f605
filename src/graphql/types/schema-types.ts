/**
 * The named types of one schema being built. Each is made once, on first use, and kept here
 * rather than in a module: schemas built side by side share no object, input or enum type.
 */
import {
  GraphQLList,
  GraphQLNonNull,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from 'graphql';

export class SchemaTypes {
  readonly #made = new Map<string, GraphQLNamedType>();

  /** The type called `name` in this schema, made by `make` the first time it is asked for. */
  once<T extends GraphQLNamedType>(name: string, make: (name: string) => T): T {
    const known = this.#made.get(name);
    if (known !== undefined) return known as T;
    const type = make(name);
    this.#made.set(name, type);
    return type;
  }
}

/** `[T!]`: a list of non-null items. */
export const list = <T extends GraphQLInputType | GraphQLOutputType>(t: T) =>
  new GraphQLList(new GraphQLNonNull(t as never)) as GraphQLList<GraphQLNonNull<T>>;

/** Spark executions a field costs, for the complexity limit. */
export const QUERY_FIELD_COST = 10;

export const TIME_ZONE =
  'A tz database region ID as Spark reads it (Europe/Paris; case matters), a short ID (EST) or an ' +
  'offset up to ±18:00 (+05:30); UTC by default. Timestamps only.';
