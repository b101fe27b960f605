import { DataType, IntervalUnit, Precision, type Field, type Schema } from 'apache-arrow';
import { fieldName } from '../spark/data-type.js';

/** Spark's name for the type of an Arrow field Spark sent (the inverse of Spark's Arrow mapping). */
export function arrowToSparkType(type: DataType): string {
  if (DataType.isNull(type)) return 'void';
  if (DataType.isBool(type)) return 'boolean';
  if (DataType.isInt(type)) {
    const names: Record<number, string> = { 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' };
    return names[type.bitWidth] ?? `int${type.bitWidth}`;
  }
  if (DataType.isFloat(type)) return type.precision === Precision.SINGLE ? 'float' : 'double';
  if (DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'string';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return 'binary';
  if (DataType.isDate(type)) return 'date';
  if (DataType.isTimestamp(type)) return type.timezone ? 'timestamp' : 'timestamp_ntz';
  if (DataType.isTime(type)) return 'time(6)';
  if (DataType.isDuration(type)) return 'interval day to second';
  if (DataType.isInterval(type))
    return type.unit === IntervalUnit.YEAR_MONTH ? 'interval year to month' : 'interval';
  if (DataType.isList(type))
    return `array<${arrowToSparkType((type.children[0] as Field).type as DataType)}>`;
  if (DataType.isMap(type)) {
    const entries = (type.children[0] as Field<DataType>).type;
    const [key, value] = entries.children;
    return `map<${arrowToSparkType(key?.type as DataType)},${arrowToSparkType(value?.type as DataType)}>`;
  }
  if (DataType.isStruct(type)) {
    return `struct<${type.children.map((f: Field) => `${fieldName(f.name)}:${arrowToSparkType(f.type as DataType)}`).join(',')}>`;
  }
  return arrowTypeLabel(type);
}

/** apache-arrow's own name for a type, e.g. `Timestamp<MICROSECOND, UTC>`. */
export function arrowTypeLabel(type: DataType): string {
  return (type as { toString(): string }).toString();
}

/** Column names and Spark type names of an Arrow schema. */
export function arrowSchemaFields(schema: Schema): { name: string; type: string; nullable: boolean }[] {
  return schema.fields.map((f) => ({
    name: f.name,
    type: arrowToSparkType(f.type as DataType),
    nullable: f.nullable,
  }));
}
