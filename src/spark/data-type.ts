import type { DataType } from '../gen/spark/connect/types_pb.js';

/**
 * Spark's own name for a data type (its `simpleString`, with odd field names quoted):
 * `bigint`, `decimal(38,10)`, `array<string>`, `struct<a:int,\`b c\`:string>`. Used for
 * column types in answers and messages.
 */
export function sparkTypeName(type: DataType | undefined): string {
  const kind = type?.kind;
  switch (kind?.case) {
    case undefined:
      return 'unknown';
    case 'null':
      return 'void';
    case 'byte':
      return 'tinyint';
    case 'short':
      return 'smallint';
    case 'integer':
      return 'int';
    case 'long':
      return 'bigint';
    case 'binary':
    case 'boolean':
    case 'float':
    case 'double':
    case 'date':
    case 'timestamp':
    case 'variant':
      return kind.case;
    case 'string':
      return kind.value.collation && kind.value.collation !== 'UTF8_BINARY'
        ? `string collate ${kind.value.collation}`
        : 'string';
    case 'timestampNtz':
      return 'timestamp_ntz';
    case 'time':
      return `time(${kind.value.precision ?? 6})`;
    case 'decimal':
      return `decimal(${kind.value.precision ?? 10},${kind.value.scale ?? 0})`;
    case 'char':
      return `char(${kind.value.length})`;
    case 'varChar':
      return `varchar(${kind.value.length})`;
    case 'calendarInterval':
      return 'interval';
    case 'yearMonthInterval':
      return intervalName(['year', 'month'], kind.value.startField ?? 0, kind.value.endField ?? 1);
    case 'dayTimeInterval':
      return intervalName(
        ['day', 'hour', 'minute', 'second'],
        kind.value.startField ?? 0,
        kind.value.endField ?? 3,
      );
    case 'array':
      return `array<${sparkTypeName(kind.value.elementType)}>`;
    case 'map':
      return `map<${sparkTypeName(kind.value.keyType)},${sparkTypeName(kind.value.valueType)}>`;
    case 'struct':
      return `struct<${kind.value.fields.map((f) => `${fieldName(f.name)}:${sparkTypeName(f.dataType)}`).join(',')}>`;
    case 'udt':
      return kind.value.sqlType === undefined ? kind.value.type : sparkTypeName(kind.value.sqlType);
    case 'unparsed':
      return kind.value.dataTypeString;
    case 'geometry':
      return `geometry(${kind.value.srid})`;
    case 'geography':
      return `geography(${kind.value.srid})`;
  }
}

/**
 * A struct field's name in a type name, quoted as Spark's SQL and DDL forms quote it (backticks,
 * doubled inside) unless it is letters, digits and underscores, not all digits. So a field
 * named `a,b` or `c:d` cannot be read as two fields, and Spark's DDL parser reads the type back.
 */
export function fieldName(name: string): string {
  return /^[A-Za-z0-9_]+$/.test(name) && !/^[0-9]+$/.test(name) ? name : `\`${name.replaceAll('`', '``')}\``;
}

function intervalName(units: readonly string[], start: number, end: number): string {
  const from = units[start] ?? '?';
  const to = units[end] ?? '?';
  return from === to ? `interval ${from}` : `interval ${from} to ${to}`;
}

/** The fields of a struct type (a result schema) as name, type name and nullability. */
export function structFields(
  type: DataType | undefined,
): { name: string; type: string; nullable: boolean }[] {
  if (type?.kind.case !== 'struct') return [];
  return type.kind.value.fields.map((f) => ({
    name: f.name,
    type: sparkTypeName(f.dataType),
    nullable: f.nullable,
  }));
}
