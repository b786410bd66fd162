// How the model's camelCase types are stored in columns: one map per type, from which the insert,
// the select list and the conversion back are all derived. The map names every field of its type,
// so a field added to the model does not compile until it is given a column, and a column renamed
// here changes no type and no page.

/** How one field is kept: its column (or a SQL expression read under that name) and its conversions. */
export interface Field<V> {
  column: string;
  /** A SQL expression selected `AS column` (a computed field; never written). */
  expr?: string;
  /** From the field's value to what SQLite stores; the value as it is when absent. */
  write?: (value: V) => unknown;
  /** From what SQLite returns to the field's value; the value as it is when absent. */
  read?: (value: unknown) => V;
}

/** Every field of `T` with its column. */
export type RowCodec<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/** A column holding the value as it is (text, number, null, bytes). */
export function column<V>(name: string): Field<V> {
  return { column: name };
}

/** A boolean kept as 0/1. */
export function flag(name: string): Field<boolean> {
  return { column: name, write: (v) => (v ? 1 : 0), read: (v) => v === 1 };
}

/** A list of strings joined by a separator that none of them contains (e.g. header names by ':'). */
export function joined(name: string, separator: string): Field<string[]> {
  return { column: name, write: (v) => v.join(separator), read: (v) => (v === null || v === '' ? [] : String(v).split(separator)) };
}

/** An optional field: NULL in the column when absent, and absent again (not null) when read back. */
export function optional<V>(field: Field<V>): Field<V | undefined> {
  return {
    ...field,
    write: (v) => (v === undefined ? null : field.write ? field.write(v) : v),
    read: (v) => (v === null || v === undefined ? undefined : field.read ? field.read(v) : (v as V)),
  };
}

/** A value kept as JSON text. */
export function json<V>(name: string): Field<V> {
  return { column: name, write: (v) => JSON.stringify(v), read: (v) => JSON.parse(String(v)) as V };
}

/**
 * A codec's fields, listed once per codec: the import writes several rows per message through
 * rowValues and insertSql, and listing (and joining) 27 columns each time cost the main thread
 * about 1 s per 20,000 small messages.
 */
const fieldLists = new WeakMap<object, [string, Field<unknown>][]>();

function fields<T>(codec: RowCodec<T>): [keyof T & string, Field<unknown>][] {
  let list = fieldLists.get(codec);
  if (!list) {
    list = Object.entries(codec) as [string, Field<unknown>][];
    fieldLists.set(codec, list);
  }
  return list as [keyof T & string, Field<unknown>][];
}

/** insertSql's statements, by codec, then by table, extra columns and OR IGNORE. */
const insertStatements = new WeakMap<object, Map<string, string>>();

/** The select list of a codec, for `SELECT ${selectList(c)} FROM …` (columns may be prefixed by a table alias). */
export function selectList<T>(codec: RowCodec<T>, alias?: string): string {
  const p = alias ? `${alias}.` : '';
  return fields(codec)
    .map(([, f]) => (f.expr ? `${f.expr} AS ${f.column}` : `${p}${f.column}`))
    .join(', ');
}

/** The value of a row as the codec's type. */
export function readRow<T>(codec: RowCodec<T>, row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, f] of fields(codec)) {
    const v = row[f.column];
    const value = f.read ? f.read(v) : v;
    if (value !== undefined) out[key] = value; // an optional field left out stays out
  }
  return out as T;
}

/**
 * A value as positional statement parameters: `extra` first, then one per column, in insertSql's
 * order. Positional, not named: better-sqlite3 binds a named parameter by making a string of its
 * name and looking it up in the object, column by column, row by row; a perf profile of the
 * import's inserts spent a third of their time binding.
 */
export function rowValues<T>(codec: RowCodec<T>, value: T, extra: readonly unknown[] = []): unknown[] {
  const out = [...extra];
  for (const [key, f] of fields(codec)) {
    if (f.expr) continue;
    const v = value[key];
    out.push(f.write ? f.write(v) : v);
  }
  return out;
}

/** `INSERT [OR IGNORE] INTO table (…) VALUES (?, …)` for `extra` columns and then the codec's (rowValues' order). */
export function insertSql<T>(table: string, codec: RowCodec<T>, extra: string[] = [], orIgnore = false): string {
  let byCodec = insertStatements.get(codec);
  if (!byCodec) {
    byCodec = new Map();
    insertStatements.set(codec, byCodec);
  }
  const key = `${table} ${extra.join(',')} ${orIgnore}`;
  let sql = byCodec.get(key);
  if (sql === undefined) {
    sql = buildInsertSql(table, codec, extra, orIgnore);
    byCodec.set(key, sql);
  }
  return sql;
}

function buildInsertSql<T>(table: string, codec: RowCodec<T>, extra: string[], orIgnore: boolean): string {
  const columns = [
    ...extra,
    ...fields(codec)
      .filter(([, f]) => !f.expr)
      .map(([, f]) => f.column),
  ];
  return `INSERT ${orIgnore ? 'OR IGNORE ' : ''}INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns)})`;
}

/** One `?` per value, comma-separated: the parameters of an `IN (...)` list or a row of values. */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
