import { SibylError } from '../../common/errors.js';
import {
  type CqlType,
  cqlTypeName,
  freeze,
  isMultiCell,
  listOf,
  mapOf,
  NATIVE_TYPE_NAMES,
  type NativeTypeName,
  nativeType,
  setOf,
  tupleOf,
  type UdtType,
} from './cql-type.js';
import { MarshalError } from './marshal-error.js';

/**
 * Parses a CQL type string (`frozen<map<text, int>>`, `list<frozen<address>>`, `ks.address`) and
 * applies Cassandra's rules on where each type may appear. User-defined types are looked up
 * through `resolveUdt`, which answers the type as defined in the schema (its `frozen` is ignored).
 */
export type UdtResolver = (keyspace: string | undefined, name: string) => UdtType | undefined;

const NATIVE_NAMES = new Set<string>(NATIVE_TYPE_NAMES);

type Token = { text: string; quoted: boolean };

export function parseCqlType(source: string, resolveUdt?: UdtResolver): CqlType {
  const tokens = tokenize(source);
  const parser = new TypeParser(source, tokens, resolveUdt);
  const type = parser.parseType(false);
  parser.expectEnd();
  return type;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('<>,.'.includes(c)) {
      tokens.push({ text: c, quoted: false });
      i++;
    } else if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) throw syntaxError(source, 'unterminated quoted identifier');
        if (source[i] === '"') {
          if (source[i + 1] !== '"') break;
          i++;
        }
        text += source[i];
        i++;
      }
      i++;
      tokens.push({ text, quoted: true });
    } else {
      const match = /^[A-Za-z0-9_]+/.exec(source.slice(i));
      if (!match) throw syntaxError(source, `unexpected character '${c}'`);
      tokens.push({ text: match[0].toLowerCase(), quoted: false });
      i += match[0].length;
    }
  }
  return tokens;
}

function syntaxError(source: string, detail: string): SibylError {
  return new SibylError('SYNTAX_ERROR', `Invalid CQL type '${source}': ${detail}`);
}

class TypeParser {
  private position = 0;
  /** Inside `frozen<...>` everything is frozen, so nested collections need no `frozen` of their own. */
  private frozenDepth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly resolveUdt: UdtResolver | undefined,
  ) {}

  expectEnd(): void {
    const token = this.tokens[this.position];
    if (token) throw syntaxError(this.source, `unexpected '${token.text}'`);
  }

  /** `insideCollection`: nested types must be frozen (Cassandra forbids multi-cell nesting). */
  parseType(insideCollection: boolean): CqlType {
    const token = this.next();
    if (!token.quoted && this.peek()?.text === '<') {
      switch (token.text) {
        case 'frozen':
          return this.parseFrozen();
        case 'list':
        case 'set':
        case 'map':
          return this.checkNested(this.parseCollection(token.text, false), insideCollection);
        case 'tuple':
          return this.parseTuple();
      }
    }
    if (!token.quoted && token.text === 'varchar') return nativeType('text');
    if (!token.quoted && NATIVE_NAMES.has(token.text) && this.peek()?.text !== '.') {
      return nativeType(token.text as NativeTypeName);
    }
    return this.checkNested(this.parseUdtName(token), insideCollection);
  }

  private parseFrozen(): CqlType {
    this.expect('<');
    this.frozenDepth++;
    const inner = this.parseType(false);
    this.frozenDepth--;
    this.expect('>');
    if (inner.kind === 'native') {
      throw new MarshalError(
        `frozen<> is only allowed on collections, tuples, and user-defined types (got ${inner.name})`,
      );
    }
    return freeze(inner);
  }

  private parseCollection(kind: 'list' | 'set' | 'map', frozen: boolean): CqlType {
    this.expect('<');
    const first = this.parseType(true);
    let type: CqlType;
    if (kind === 'map') {
      this.expect(',');
      const value = this.parseType(true);
      type = mapOf(first, value, frozen);
    } else {
      type = kind === 'list' ? listOf(first, frozen) : setOf(first, frozen);
    }
    this.expect('>');
    checkCollectionElements(type);
    return type;
  }

  private parseTuple(): CqlType {
    this.expect('<');
    const elements = [this.parseType(false)];
    while (this.peek()?.text === ',') {
      this.position++;
      elements.push(this.parseType(false));
    }
    this.expect('>');
    return tupleOf(elements);
  }

  private parseUdtName(first: Token): CqlType {
    let keyspace: string | undefined;
    let name = first.text;
    if (!first.quoted && !/^[a-z]/.test(name)) throw syntaxError(this.source, `unexpected '${name}'`);
    if (this.peek()?.text === '.') {
      this.position++;
      keyspace = name;
      name = this.next().text;
    }
    const found = this.resolveUdt?.(keyspace, name);
    if (!found)
      throw new MarshalError(`Unknown type ${keyspace === undefined ? name : `${keyspace}.${name}`}`);
    return { ...found, frozen: false };
  }

  /** Cassandra: "Non-frozen collections/UDTs are not allowed inside collections". */
  private checkNested(type: CqlType, insideCollection: boolean): CqlType {
    if (!insideCollection || this.frozenDepth > 0 || !isMultiCell(type)) return type;
    const what = type.kind === 'udt' ? 'UDTs' : 'collections';
    throw new MarshalError(`Non-frozen ${what} are not allowed inside collections: ${this.source.trim()}`);
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw syntaxError(this.source, 'unexpected end of type');
    return token;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.quoted || token.text !== text) {
      throw syntaxError(this.source, `expected '${text}' but found '${token.text}'`);
    }
  }
}

/** Cassandra's restrictions on collection elements: no counters; no durations in sets or map keys. */
function checkCollectionElements(type: CqlType): void {
  const name = cqlTypeName(type);
  const isNative = (t: CqlType, n: NativeTypeName) => t.kind === 'native' && t.name === n;
  const elements: CqlType[] = [];
  if (type.kind === 'map') elements.push(type.key, type.value);
  if (type.kind === 'list' || type.kind === 'set') elements.push(type.element);
  if (elements.some((t) => isNative(t, 'counter'))) {
    throw new MarshalError(`Counters are not allowed inside collections: ${name}`);
  }
  if (type.kind === 'set' && isNative(type.element, 'duration')) {
    throw new MarshalError(`Durations are not allowed inside sets: ${name}`);
  }
  if (type.kind === 'map' && isNative(type.key, 'duration')) {
    throw new MarshalError(`Durations are not allowed as map keys: ${name}`);
  }
}
