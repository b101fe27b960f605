import {
  DataType,
  Field,
  FixedSizeList,
  LargeList,
  List,
  Map_,
  Schema,
  Struct,
  Timestamp,
} from 'apache-arrow';
import { schemaMessageOf } from './ipc-write.js';

/**
 * The schema message with every timestamp's time zone `UTC`. Spark labels the instants of an
 * Arrow result with the session's time zone; the instants are the same in any zone, so the
 * label is made independent of it, as every other output is. Returns the message itself when
 * nothing needs changing (always, in a UTC session), and a rewritten one otherwise: a label
 * changes no byte of the record batches that follow.
 */
export function schemaInUtc(schemaMessage: Uint8Array, schema: Schema): Uint8Array {
  if (!schema.fields.some((f) => needsUtc(f.type as DataType))) return schemaMessage;
  const fields = schema.fields.map((f) => inUtc(f));
  return schemaMessageOf(new Schema(fields, schema.metadata));
}

function needsUtc(type: DataType): boolean {
  if (DataType.isTimestamp(type))
    return type.timezone != null && type.timezone !== '' && type.timezone !== 'UTC';
  return childrenOf(type).some((child) => needsUtc(child.type as DataType));
}

/** A type's children; apache-arrow leaves them null in primitive types, whatever its typings say. */
function childrenOf(type: DataType): readonly Field[] {
  const children = type.children as Field[] | null;
  return children ?? [];
}

function inUtc(field: Field): Field {
  const type = field.type as DataType;
  if (!needsUtc(type)) return field;
  return new Field(field.name, utcType(type), field.nullable, field.metadata);
}

function utcType(type: DataType): DataType {
  if (DataType.isTimestamp(type)) return new Timestamp(type.unit, 'UTC');
  const children = childrenOf(type).map(inUtc);
  if (DataType.isStruct(type)) return new Struct(children);
  if (DataType.isMap(type)) {
    const entries = children[0] as Field<Struct<{ key: DataType; value: DataType }>>;
    return new Map_(entries, type.keysSorted);
  }
  if (DataType.isFixedSizeList(type)) return new FixedSizeList(type.listSize, children[0] as Field);
  if (DataType.isLargeList(type)) return new LargeList(children[0] as Field);
  if (DataType.isList(type)) return new List(children[0] as Field);
  return type;
}
