/**
 * The text of row `i` of one column chunk. Chosen once per chunk like `valueReader`, but
 * producing text directly, so encoders allocate no value objects on the way to bytes.
 *
 * Indexing follows apache-arrow: a chunk's `offset` applies to its validity bitmap and to
 * boolean bits only, because slicing a chunk also slices its value and offset buffers.
 */
export type TextReader = (i: number) => string;
