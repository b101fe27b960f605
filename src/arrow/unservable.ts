/**
 * Columns Spark sends in a shape the service cannot render faithfully, found in a result's
 * Arrow schema before any row is sent, so they are refused rather than served garbled.
 */
import { DataType, type Field, type Schema } from 'apache-arrow';

/**
 * Spark sends a VARIANT as a struct of two binaries in its own encoding (`value`, and
 * `metadata` marked `variant: true`); text formats would show those bytes, not the value.
 */
function isVariant(type: DataType): boolean {
  return (
    DataType.isStruct(type) &&
    type.children.some(
      (child: Field) => child.name === 'metadata' && child.metadata.get('variant') === 'true',
    )
  );
}

function holdsVariant(type: DataType): boolean {
  if (isVariant(type)) return true;
  const children = (type.children as Field[] | null) ?? [];
  return children.some((child) => holdsVariant(child.type as DataType));
}

/**
 * What makes the result unservable, naming the column and how to fix it; undefined when every
 * column can be served.
 */
export function unservableColumns(schema: Schema): string | undefined {
  const names = schema.fields.filter((f) => holdsVariant(f.type as DataType)).map((f) => f.name);
  if (names.length === 0) return undefined;
  const list = names.map((n) => `"${n}"`).join(', ');
  return `Column ${list} is or holds a VARIANT, which the service cannot serve; select it as text with to_json(…) or cast it to a concrete type`;
}
