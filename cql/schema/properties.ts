/**
 * WITH properties as Cassandra's PropertyDefinitions reads them: unknown names, a string where a
 * map is expected (or the reverse) and unparsable numbers are syntax errors, with its messages.
 * The parser already refuses a property given twice.
 */
import { CqlSyntaxError } from '../errors.js';
import type { Property } from '../parser/index.js';

export class Properties {
  private readonly byName: ReadonlyMap<string, Property>;

  constructor(properties: readonly Property[]) {
    this.byName = new Map(properties.map((p) => [p.name, p]));
  }

  /** Refuses any property not in `known` (PropertyDefinitions.validate). */
  validate(known: ReadonlySet<string>): void {
    for (const name of this.byName.keys()) {
      if (!known.has(name)) throw new CqlSyntaxError(`Unknown property '${name}'`);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  getString(name: string): string | undefined {
    const property = this.byName.get(name);
    if (property === undefined) return undefined;
    if (property.value.kind !== 'simple') {
      throw new CqlSyntaxError(`Invalid value for property '${name}'. It should be a string`);
    }
    return property.value.text;
  }

  getMap(name: string): ReadonlyMap<string, string> | undefined {
    const property = this.byName.get(name);
    if (property === undefined) return undefined;
    if (property.value.kind !== 'map') {
      throw new CqlSyntaxError(`Invalid value for property '${name}'. It should be a map.`);
    }
    return new Map(property.value.entries);
  }

  /** Cassandra's getBoolean: true for `1`, `true` or `yes` (any case), false for anything else. */
  getBoolean(name: string): boolean | undefined {
    const text = this.getString(name);
    return text === undefined ? undefined : /^(1|true|yes)$/.test(text.toLowerCase());
  }

  getInt(name: string): number | undefined {
    const text = this.getString(name);
    if (text === undefined) return undefined;
    const value = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value > 2_147_483_647 || value < -2_147_483_648) {
      throw new CqlSyntaxError(`Invalid integer value ${text} for '${name}'`);
    }
    return value;
  }

  getDouble(name: string): number | undefined {
    const text = this.getString(name);
    if (text === undefined) return undefined;
    const value = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/.test(text)
      ? Number(text)
      : Number.NaN;
    if (Number.isNaN(value) && !text.endsWith('NaN')) {
      throw new CqlSyntaxError(`Invalid double value ${text} for '${name}'`);
    }
    return value;
  }
}
