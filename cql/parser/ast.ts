import type { LiteralKind, NativeTypeName } from '../types/index.js';

/**
 * The syntax tree of one CQL statement, as parsed and before any schema is consulted. Every node
 * is a plain object tagged by `kind`. Names are already case-folded: an unquoted identifier is
 * lower-cased, a "Quoted" one kept exactly, so `name === column.name` compares as Cassandra does.
 * Constants stay text with their lexical kind; the executor turns them into bytes once it knows the
 * receiver's type (`literalToBytes(type, constant.type, constant.text)` from cql/types).
 */

/** 1-based line, 0-based column (ANTLR's counting, which Cassandra's messages use). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export interface QualifiedName {
  readonly keyspace?: string;
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------
// Terms: the values of a statement (Cassandra's Term.Raw)

export interface ConstantTerm {
  readonly kind: 'constant';
  /** The lexical kind, which decides what types the constant may be assigned to. */
  readonly type: LiteralKind;
  /** For strings, the unescaped contents; `NaN`/`Infinity`/`-Infinity` for those floats; else the source text. */
  readonly text: string;
  readonly position: SourcePosition;
}

export interface NullTerm {
  readonly kind: 'null';
  readonly position: SourcePosition;
}

/** `?` or `:name`. `index` counts every marker of the statement (a batch included) from 0. */
export interface BindMarker {
  readonly kind: 'bindMarker';
  readonly index: number;
  readonly name?: string;
  readonly position: SourcePosition;
}

export interface ListLiteral {
  readonly kind: 'list';
  readonly elements: readonly Term[];
  readonly position: SourcePosition;
}

/** `{a, b}`; `{}` is always a set literal here, as in Cassandra (the receiver's type decides). */
export interface SetLiteral {
  readonly kind: 'set';
  readonly elements: readonly Term[];
  readonly position: SourcePosition;
}

export interface MapLiteral {
  readonly kind: 'map';
  readonly entries: readonly (readonly [Term, Term])[];
  readonly position: SourcePosition;
}

export interface TupleLiteral {
  readonly kind: 'tuple';
  readonly elements: readonly Term[];
  readonly position: SourcePosition;
}

/** `{street: 'x', zip: 1}`: keys are field names, not terms. */
export interface UdtLiteral {
  readonly kind: 'udt';
  readonly fields: readonly { readonly name: string; readonly value: Term }[];
  readonly position: SourcePosition;
}

export interface FunctionCall {
  readonly kind: 'function';
  readonly name: QualifiedName;
  readonly args: readonly Term[];
  readonly position: SourcePosition;
}

/** `(int) ?`: a type hint for a marker or constant (Cassandra's TypeCast). */
export interface TypeHint {
  readonly kind: 'typeHint';
  readonly type: TypeRef;
  readonly term: Term;
  readonly position: SourcePosition;
}

/** `CAST(term AS native_type)`. */
export interface CastTerm {
  readonly kind: 'cast';
  readonly term: Term;
  readonly type: NativeTypeName;
  readonly position: SourcePosition;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

export interface ArithmeticTerm {
  readonly kind: 'arithmetic';
  readonly operator: ArithmeticOperator;
  readonly left: Term;
  readonly right: Term;
  readonly position: SourcePosition;
}

/** `- term` with a space or on a non-constant (`-1` is an integer constant, as Cassandra lexes it). */
export interface NegationTerm {
  readonly kind: 'negation';
  readonly term: Term;
  readonly position: SourcePosition;
}

export type Term =
  | ConstantTerm
  | NullTerm
  | BindMarker
  | ListLiteral
  | SetLiteral
  | MapLiteral
  | TupleLiteral
  | UdtLiteral
  | FunctionCall
  | TypeHint
  | CastTerm
  | ArithmeticTerm
  | NegationTerm;

// ---------------------------------------------------------------------------------------------
// Types as written (CQL3Type.Raw). `typeText` in format.ts prints one for `parseCqlType`.

export type TypeRef =
  | { readonly kind: 'native'; readonly name: NativeTypeName }
  | { readonly kind: 'list' | 'set'; readonly element: TypeRef }
  | { readonly kind: 'map'; readonly key: TypeRef; readonly value: TypeRef }
  | { readonly kind: 'tuple'; readonly elements: readonly TypeRef[] }
  | { readonly kind: 'frozen'; readonly inner: TypeRef }
  | { readonly kind: 'udt'; readonly keyspace?: string; readonly name: string }
  /** `'org.apache.cassandra.db.marshal.X'`: parsed, for the executor to refuse. */
  | { readonly kind: 'custom'; readonly className: string };

// ---------------------------------------------------------------------------------------------
// WHERE relations and IF conditions

export type CompareOperator = '=' | '<' | '<=' | '>' | '>=' | '!=';

/** The values of an IN: a parenthesised list, or one marker standing for the whole list. */
export type InValues =
  | { readonly kind: 'terms'; readonly terms: readonly Term[] }
  | { readonly kind: 'marker'; readonly marker: BindMarker };

export type Relation =
  | {
      readonly kind: 'compare';
      readonly column: string;
      readonly operator: CompareOperator | 'CONTAINS' | 'CONTAINS KEY' | 'LIKE';
      readonly value: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'in';
      readonly column: string;
      readonly values: InValues;
      readonly position: SourcePosition;
    }
  | { readonly kind: 'isNotNull'; readonly column: string; readonly position: SourcePosition }
  /** `m['k'] = v` on a map element. */
  | {
      readonly kind: 'element';
      readonly column: string;
      readonly key: Term;
      readonly operator: CompareOperator;
      readonly value: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'token';
      readonly columns: readonly string[];
      readonly operator: CompareOperator;
      readonly value: Term;
      readonly position: SourcePosition;
    }
  /** `(a, b) > (1, 2)`; the value is a tuple literal or a marker. */
  | {
      readonly kind: 'multiCompare';
      readonly columns: readonly string[];
      readonly operator: CompareOperator;
      readonly value: Term;
      readonly position: SourcePosition;
    }
  /** `(a, b) IN ((1, 2), (3, 4))`, `IN (?, ?)`, `IN ?`, `IN ()`. */
  | {
      readonly kind: 'multiIn';
      readonly columns: readonly string[];
      readonly values: InValues;
      readonly position: SourcePosition;
    };

/** What an IF condition looks at: the column, one element of a collection, or one UDT field. */
export type ConditionTarget =
  | { readonly kind: 'column' }
  | { readonly kind: 'element'; readonly key: Term }
  | { readonly kind: 'field'; readonly field: string };

export type Condition =
  | {
      readonly kind: 'compare';
      readonly column: string;
      readonly target: ConditionTarget;
      readonly operator: CompareOperator | 'CONTAINS' | 'CONTAINS KEY';
      readonly value: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'in';
      readonly column: string;
      readonly target: ConditionTarget;
      readonly values: InValues;
      readonly position: SourcePosition;
    };

// ---------------------------------------------------------------------------------------------
// SELECT

export type Selectable =
  | { readonly kind: 'column'; readonly name: string; readonly position: SourcePosition }
  /** A constant, NULL or marker selected as a value. */
  | { readonly kind: 'term'; readonly term: Term; readonly position: SourcePosition }
  | {
      readonly kind: 'function';
      readonly name: QualifiedName;
      readonly args: readonly Selectable[];
      readonly position: SourcePosition;
    }
  /** `count(*)`. */
  | { readonly kind: 'countRows'; readonly position: SourcePosition }
  /** `writetime(c)`, `maxwritetime(c)`, `ttl(c)`; `target` is the column with any `.f` / `[k]` after it. */
  | {
      readonly kind: 'writetimeOrTtl';
      readonly function: 'writetime' | 'maxwritetime' | 'ttl';
      readonly target: Selectable;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'cast';
      readonly selectable: Selectable;
      readonly type: NativeTypeName;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'field';
      readonly selectable: Selectable;
      readonly field: string;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'element';
      readonly selectable: Selectable;
      readonly key: Term;
      readonly position: SourcePosition;
    }
  /** `s[1..3]`, `s[..3]`, `s[1..]`. */
  | {
      readonly kind: 'slice';
      readonly selectable: Selectable;
      readonly from?: Term;
      readonly to?: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'arithmetic';
      readonly operator: ArithmeticOperator;
      readonly left: Selectable;
      readonly right: Selectable;
      readonly position: SourcePosition;
    }
  | { readonly kind: 'negation'; readonly selectable: Selectable; readonly position: SourcePosition }
  | {
      readonly kind: 'typeHint';
      readonly type: TypeRef;
      readonly selectable: Selectable;
      readonly position: SourcePosition;
    }
  /** `(a)` is a parenthesised selector and `(a, b)` a tuple: Cassandra decides later, from the count. */
  | { readonly kind: 'tuple'; readonly elements: readonly Selectable[]; readonly position: SourcePosition }
  | { readonly kind: 'list'; readonly elements: readonly Selectable[]; readonly position: SourcePosition }
  | { readonly kind: 'set'; readonly elements: readonly Selectable[]; readonly position: SourcePosition }
  /** `{k: v, ...}`: a map or a UDT value, which the receiver's type decides. */
  | {
      readonly kind: 'mapOrUdt';
      readonly entries: readonly (readonly [Selectable, Selectable])[];
      readonly position: SourcePosition;
    };

export interface Selector {
  readonly selectable: Selectable;
  readonly alias?: string;
}

export interface Ordering {
  readonly column: string;
  readonly order: 'asc' | 'desc';
}

export interface SelectStatement {
  readonly kind: 'select';
  readonly table: QualifiedName;
  readonly json: boolean;
  readonly distinct: boolean;
  /** Empty for `SELECT *`. */
  readonly selectors: readonly Selector[];
  readonly where: readonly Relation[];
  readonly groupBy: readonly Selectable[];
  readonly orderBy: readonly Ordering[];
  readonly perPartitionLimit?: Term;
  readonly limit?: Term;
  readonly allowFiltering: boolean;
  readonly position: SourcePosition;
}

// ---------------------------------------------------------------------------------------------
// Modifications

/** USING TIMESTAMP / TTL: an integer constant or a marker. */
export interface UsingAttributes {
  readonly timestamp?: Term;
  readonly ttl?: Term;
}

export interface InsertStatement {
  readonly kind: 'insert';
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly values: readonly Term[];
  readonly ifNotExists: boolean;
  readonly using: UsingAttributes;
  readonly position: SourcePosition;
}

export interface InsertJsonStatement {
  readonly kind: 'insertJson';
  readonly table: QualifiedName;
  /** A string constant or a marker. */
  readonly json: ConstantTerm | BindMarker;
  /** DEFAULT UNSET (true) or DEFAULT NULL / nothing (false). */
  readonly defaultUnset: boolean;
  readonly ifNotExists: boolean;
  readonly using: UsingAttributes;
  readonly position: SourcePosition;
}

export type Assignment =
  | { readonly kind: 'set'; readonly column: string; readonly value: Term; readonly position: SourcePosition }
  /** `c = c + v`, `c += v`, `c = c -1`. */
  | { readonly kind: 'add'; readonly column: string; readonly value: Term; readonly position: SourcePosition }
  | {
      readonly kind: 'subtract';
      readonly column: string;
      readonly value: Term;
      readonly position: SourcePosition;
    }
  /** `c = v + c` (list prepend). */
  | {
      readonly kind: 'prepend';
      readonly column: string;
      readonly value: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'setElement';
      readonly column: string;
      readonly key: Term;
      readonly value: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'setField';
      readonly column: string;
      readonly field: string;
      readonly value: Term;
      readonly position: SourcePosition;
    };

export interface UpdateStatement {
  readonly kind: 'update';
  readonly table: QualifiedName;
  readonly using: UsingAttributes;
  readonly assignments: readonly Assignment[];
  readonly where: readonly Relation[];
  readonly ifExists: boolean;
  readonly conditions: readonly Condition[];
  readonly position: SourcePosition;
}

export type Deletion =
  | { readonly kind: 'column'; readonly column: string; readonly position: SourcePosition }
  | {
      readonly kind: 'element';
      readonly column: string;
      readonly key: Term;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'field';
      readonly column: string;
      readonly field: string;
      readonly position: SourcePosition;
    };

export interface DeleteStatement {
  readonly kind: 'delete';
  readonly table: QualifiedName;
  /** Empty: the whole row(s) or partition. */
  readonly deletions: readonly Deletion[];
  readonly using: UsingAttributes;
  readonly where: readonly Relation[];
  readonly ifExists: boolean;
  readonly conditions: readonly Condition[];
  readonly position: SourcePosition;
}

export type ModificationStatement = InsertStatement | InsertJsonStatement | UpdateStatement | DeleteStatement;

export interface BatchStatement {
  readonly kind: 'batch';
  readonly type: 'logged' | 'unlogged' | 'counter';
  readonly using: UsingAttributes;
  readonly statements: readonly ModificationStatement[];
  readonly position: SourcePosition;
}

// ---------------------------------------------------------------------------------------------
// Schema statements

/** `name = value` in WITH: values are kept as Cassandra keeps them, as text. */
export type PropertyValue =
  /** A constant (its raw text and kind) or an unreserved keyword (kind undefined). */
  | { readonly kind: 'simple'; readonly text: string; readonly constantType?: LiteralKind }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, string])[] };

export interface Property {
  readonly name: string;
  readonly value: PropertyValue;
  readonly position: SourcePosition;
}

export interface ColumnDefinition {
  readonly name: string;
  readonly type: TypeRef;
  readonly isStatic: boolean;
  readonly position: SourcePosition;
}

/** One PRIMARY KEY declaration: on a column (`k int PRIMARY KEY`) or as a clause. */
export interface PrimaryKeyDeclaration {
  readonly partitionKey: readonly string[];
  readonly clusteringColumns: readonly string[];
  readonly position: SourcePosition;
}

export interface CreateTableStatement {
  readonly kind: 'createTable';
  readonly table: QualifiedName;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDefinition[];
  /** Every declaration as written; exactly one is valid (the executor says so otherwise). */
  readonly primaryKeys: readonly PrimaryKeyDeclaration[];
  readonly clusteringOrder: readonly Ordering[];
  /** Parsed so that the executor can refuse it with Cassandra's message. */
  readonly compactStorage: boolean;
  readonly properties: readonly Property[];
  readonly position: SourcePosition;
}

export type AlterTableAction =
  | { readonly kind: 'alterColumnType'; readonly column: string; readonly type: TypeRef }
  | {
      readonly kind: 'addColumns';
      readonly ifNotExists: boolean;
      readonly columns: readonly ColumnDefinition[];
    }
  | {
      readonly kind: 'dropColumns';
      readonly ifExists: boolean;
      readonly columns: readonly string[];
      /** USING TIMESTAMP n (integer text). */
      readonly timestamp?: string;
    }
  | {
      readonly kind: 'renameColumns';
      readonly ifExists: boolean;
      readonly renames: readonly { readonly from: string; readonly to: string }[];
    }
  | { readonly kind: 'dropCompactStorage' }
  | { readonly kind: 'setOptions'; readonly properties: readonly Property[] };

export interface AlterTableStatement {
  readonly kind: 'alterTable';
  readonly table: QualifiedName;
  readonly ifExists: boolean;
  readonly action: AlterTableAction;
  readonly position: SourcePosition;
}

export type AlterTypeAction =
  | { readonly kind: 'alterFieldType'; readonly field: string; readonly type: TypeRef }
  | {
      readonly kind: 'addField';
      readonly ifNotExists: boolean;
      readonly field: string;
      readonly type: TypeRef;
    }
  | {
      readonly kind: 'renameFields';
      readonly ifExists: boolean;
      readonly renames: readonly { readonly from: string; readonly to: string }[];
    };

export type IndexTarget = {
  readonly kind: 'simple' | 'values' | 'keys' | 'entries' | 'full';
  readonly column: string;
};

export type Statement =
  | SelectStatement
  | ModificationStatement
  | BatchStatement
  | { readonly kind: 'use'; readonly keyspace: string; readonly position: SourcePosition }
  | {
      readonly kind: 'createKeyspace';
      readonly keyspace: string;
      readonly ifNotExists: boolean;
      readonly properties: readonly Property[];
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'alterKeyspace';
      readonly keyspace: string;
      readonly ifExists: boolean;
      readonly properties: readonly Property[];
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'dropKeyspace';
      readonly keyspace: string;
      readonly ifExists: boolean;
      readonly position: SourcePosition;
    }
  | CreateTableStatement
  | AlterTableStatement
  | {
      readonly kind: 'dropTable';
      readonly table: QualifiedName;
      readonly ifExists: boolean;
      readonly position: SourcePosition;
    }
  | { readonly kind: 'truncate'; readonly table: QualifiedName; readonly position: SourcePosition }
  | {
      readonly kind: 'createType';
      readonly type: QualifiedName;
      readonly ifNotExists: boolean;
      readonly fields: readonly { readonly name: string; readonly type: TypeRef }[];
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'alterType';
      readonly type: QualifiedName;
      readonly ifExists: boolean;
      readonly action: AlterTypeAction;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'dropType';
      readonly type: QualifiedName;
      readonly ifExists: boolean;
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'createIndex';
      readonly custom: boolean;
      readonly ifNotExists: boolean;
      readonly name?: string;
      readonly table: QualifiedName;
      readonly targets: readonly IndexTarget[];
      /** USING 'class' of a custom index. */
      readonly using?: string;
      readonly properties: readonly Property[];
      readonly position: SourcePosition;
    }
  | {
      readonly kind: 'dropIndex';
      readonly index: QualifiedName;
      readonly ifExists: boolean;
      readonly position: SourcePosition;
    };

export type StatementKind = Statement['kind'];

/** A parsed statement with what preparing it needs: its markers, in order, and its text. */
export interface ParsedStatement {
  readonly statement: Statement;
  readonly bindMarkers: readonly BindMarker[];
  /** The statement's own text (for a script: its slice, without the `;`). */
  readonly text: string;
  readonly position: SourcePosition;
}
