/**
 * The tokens of CQL as Cassandra's lexer cuts them. Keywords are not a token type of their own: an
 * IDENT carries `keyword` when its text is one of CQL's keywords, and the parser decides from
 * context whether an unreserved keyword is a name (`key`, `ttl`, `type`) or the keyword.
 */
export type TokenType =
  | 'IDENT'
  | 'QUOTED_NAME'
  | 'EMPTY_QUOTED_NAME'
  | 'STRING'
  | 'INTEGER'
  | 'FLOAT'
  | 'BOOLEAN'
  | 'DURATION'
  | 'UUID'
  | 'HEX'
  | 'SYMBOL'
  | 'EOF'
  /** Text the lexer could not cut into a token; reaching it raises the lexer's error. */
  | 'ERROR';

export interface Token {
  readonly type: TokenType;
  /** The source text of the token. */
  readonly text: string;
  /** The decoded value: string and quoted-name contents unescaped; otherwise the source text. */
  readonly value: string;
  /** For IDENT tokens that are CQL keywords: the keyword, upper case (TABLE reads as COLUMNFAMILY). */
  readonly keyword: string | undefined;
  /** 1-based line and 0-based column of the first character, as ANTLR counts them. */
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly end: number;
  /** Index in the lexer's list of all tokens, whitespace and comments included (for error snippets). */
  readonly rawIndex: number;
  /** For ERROR tokens: the lexer's message without the `line L:C` header. */
  readonly error?: string;
}

/** Whitespace and comments are kept only as spans, to cut error snippets as Cassandra does. */
export interface RawSpan {
  readonly offset: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Every keyword token of Cassandra 4.x/5.0's lexer (Lexer.g). SCHEMA is lexed as KEYSPACE and
 * TABLE as COLUMNFAMILY, as there. Which of them are reserved lives in cql/types/identifier.ts.
 */
const KEYWORD_LIST = [
  'SELECT FROM AS WHERE AND KEY KEYS ENTRIES FULL INSERT UPDATE WITH LIMIT PER PARTITION USING USE',
  'DISTINCT COUNT SET BEGIN UNLOGGED BATCH APPLY TRUNCATE DELETE IN CREATE KEYSPACE KEYSPACES',
  'COLUMNFAMILY TABLES MATERIALIZED VIEW INDEX CUSTOM ON TO DROP PRIMARY INTO VALUES TIMESTAMP TTL',
  'CAST ALTER RENAME ADD TYPE TYPES COMPACT STORAGE ORDER BY ASC DESC ALLOW FILTERING IF IS CONTAINS',
  'GROUP CLUSTER INTERNALS ONLY GRANT ALL PERMISSION PERMISSIONS OF REVOKE MODIFY AUTHORIZE DESCRIBE',
  'EXECUTE NORECURSIVE MBEAN MBEANS USER USERS ROLE ROLES SUPERUSER NOSUPERUSER PASSWORD LOGIN NOLOGIN',
  'OPTIONS ACCESS DATACENTERS CLUSTERING ASCII BIGINT BLOB BOOLEAN COUNTER DECIMAL DOUBLE DURATION',
  'FLOAT INET INT SMALLINT TINYINT TEXT UUID VARCHAR VARINT TIMEUUID TOKEN WRITETIME MAXWRITETIME',
  'DATE TIME NULL NOT EXISTS MAP LIST NAN INFINITY TUPLE TRIGGER STATIC FROZEN FUNCTION FUNCTIONS',
  'AGGREGATE AGGREGATES SFUNC STYPE FINALFUNC INITCOND RETURNS CALLED INPUT LANGUAGE OR REPLACE JSON',
  'DEFAULT UNSET LIKE MASKED UNMASK SELECT_MASKED VECTOR ANN',
].join(' ');

const KEYWORDS = new Map<string, string>(KEYWORD_LIST.split(' ').map((k) => [k.toLowerCase(), k]));
KEYWORDS.set('schema', 'KEYSPACE');
KEYWORDS.set('table', 'COLUMNFAMILY');

/** The keyword an identifier's text lexes as, or undefined. */
export function keywordOf(lowerText: string): string | undefined {
  return KEYWORDS.get(lowerText);
}

/** The native type names of the grammar's `native_type` rule (keywords, unreserved). */
export const NATIVE_TYPE_KEYWORDS: ReadonlySet<string> = new Set([
  'ASCII',
  'BIGINT',
  'BLOB',
  'BOOLEAN',
  'COUNTER',
  'DECIMAL',
  'DOUBLE',
  'DURATION',
  'FLOAT',
  'INET',
  'INT',
  'SMALLINT',
  'TEXT',
  'TIMESTAMP',
  'TINYINT',
  'UUID',
  'VARCHAR',
  'VARINT',
  'TIMEUUID',
  'DATE',
  'TIME',
]);

/** How ANTLR shows a token in a message: its text in quotes, control characters escaped. */
export function tokenDisplay(token: Token): string {
  if (token.type === 'EOF') return "'<EOF>'";
  const text = token.value.replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t');
  return `'${text}'`;
}
