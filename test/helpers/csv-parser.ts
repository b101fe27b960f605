/**
 * A strict RFC 4180 reader for tests: CRLF between records, quoted fields with doubled quotes.
 * An unquoted empty field reads as null and a quoted one as '', the distinction the encoder makes.
 */
export function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let at = 0;
  if (text === '') return records;
  for (;;) {
    let field: string | null;
    if (text[at] === '"') {
      field = '';
      at++;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new Error(`unterminated quoted field at ${at}`);
        field += text.slice(at, quote);
        at = quote + 1;
        if (text[at] !== '"') break;
        field += '"';
        at++;
      }
    } else {
      let end = at;
      while (end < text.length && !',\r\n"'.includes(text[end]!)) end++;
      if (text[end] === '"') throw new Error(`quote inside an unquoted field at ${end}`);
      field = end === at ? null : text.slice(at, end);
      at = end;
    }
    record.push(field);
    if (text[at] === ',') {
      at++;
      continue;
    }
    if (text.startsWith('\r\n', at)) {
      records.push(record);
      record = [];
      at += 2;
      if (at === text.length) return records;
      continue;
    }
    throw new Error(`expected a comma or CRLF at ${at}, got ${JSON.stringify(text.slice(at, at + 10))}`);
  }
}
