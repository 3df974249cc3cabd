/**
 * The shell: cqlsh's behaviour over a ShellBackend. It keeps the session's settings (keyspace,
 * consistency, paging, expand, capture), runs statements from the REPL, `-e`, `-f` and SOURCE,
 * prints results with the formatter and errors as cqlsh does (`<file>:<line>:` in front when not
 * interactive), and remembers whether any statement failed (exit status 2 in batch mode).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Writable } from 'node:stream';
import type { ConsistencyName, ShellBackend, ShellColumn, ShellResult } from './backend.js';
import { SHELL_VERSION } from './backend.js';
import { copyFrom, copyTo } from './copy.js';
import { DescribeError, describe } from './describe.js';
import { cqlshErrorText } from './error-text.js';
import {
  type Cell,
  type Colors,
  colors,
  nameCell,
  rowCells,
  tableLines,
  verticalLines,
  warningLines,
} from './formatter.js';
import { helpText } from './help.js';
import type { LineInput } from './line-input.js';
import { ImproperCommandError, parseShellCommand, type ShellCommand } from './shell-commands.js';
import { isBlank, splitStatements } from './statement-splitter.js';

export interface ShellOptions {
  readonly backend: ShellBackend;
  /** Interactive: prompts, `---MORE---` between pages, errors without file:line. */
  readonly tty: boolean;
  readonly color: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly username?: string;
  /** COPY progress every this many rows. */
  readonly copyProgressEveryRows?: number;
}

/** cqlsh's default page size. */
const DEFAULT_PAGE_SIZE = 100;

type Outcome = 'continue' | 'exit';

export class Shell {
  keyspace: string | undefined;
  consistency: ConsistencyName = 'ONE';
  serialConsistency: ConsistencyName = 'SERIAL';
  paging = true;
  pageSize = DEFAULT_PAGE_SIZE;
  expand = false;
  /** True once a statement failed (cqlsh's statement_error). */
  hadError = false;
  private capture: { file: string; fd: number } | null = null;
  private input: LineInput | null = null;
  private source = '<stdin>';
  private line = 1;
  private tty: boolean;
  private readonly c: Colors;

  constructor(private readonly options: ShellOptions) {
    this.tty = options.tty;
    this.c = colors(options.color);
  }

  // ---- output -------------------------------------------------------------------------------

  /** Informational output (shell command answers): never captured. */
  print(text: string): void {
    this.options.stdout.write(`${text}\n`);
  }

  /** Query output: to the CAPTURE file when capturing. */
  private writeResult(lines: readonly string[]): void {
    const text = lines.map((l) => `${l}\n`).join('');
    if (this.capture) writeSync(this.capture.fd, text);
    else this.options.stdout.write(text);
  }

  printError(text: string): void {
    this.hadError = true;
    const located = this.tty ? text : `${this.source}:${this.line}:${text}`;
    this.options.stderr.write(`${this.c.bold(this.c.red(located))}\n`);
  }

  prompt(): string {
    const user = this.options.username ? `${this.options.username}@` : '';
    return this.keyspace === undefined ? `${user}sibyl> ` : `${user}sibyl:${this.keyspace}> `;
  }

  private continuePrompt(): string {
    return this.keyspace === undefined ? '   ... ' : `${' '.repeat(this.keyspace.length)}    ... `;
  }

  // ---- input loops ----------------------------------------------------------------------------

  /** The REPL (or batch reading of a pipe): lines until EXIT or the end of the input. */
  async run(input: LineInput): Promise<void> {
    this.input = input;
    let buffer = '';
    for (;;) {
      const line = await input.read(buffer === '' ? this.prompt() : this.continuePrompt());
      if (line === null) break;
      buffer += `${line}\n`;
      const { statements, rest } = splitStatements(buffer);
      buffer = isBlank(rest) ? '' : rest;
      for (const statement of statements) {
        if (this.tty) input.remember(statement);
        if ((await this.execute(statement)) === 'exit') return;
      }
      this.line++;
    }
    if (this.tty) this.print('');
    if (buffer !== '') this.printError('Incomplete statement at end of file');
  }

  /** Runs a script (`-e`, `-f`, SOURCE): statements line by line, errors located in `source`. */
  async runScript(text: string, source: string): Promise<Outcome> {
    const saved = { source: this.source, line: this.line, tty: this.tty };
    Object.assign(this, { source, line: 1, tty: false });
    try {
      let buffer = '';
      for (const line of text.split('\n')) {
        buffer += `${line}\n`;
        const { statements, rest } = splitStatements(buffer);
        buffer = isBlank(rest) ? '' : rest;
        for (const statement of statements) if ((await this.execute(statement)) === 'exit') return 'exit';
        this.line++;
      }
      if (buffer !== '') this.printError('Incomplete statement at end of file');
      return 'continue';
    } finally {
      Object.assign(this, saved);
    }
  }

  // ---- one statement --------------------------------------------------------------------------

  async execute(statement: string): Promise<Outcome> {
    let command: ShellCommand | null;
    try {
      command = parseShellCommand(statement);
    } catch (error) {
      if (!(error instanceof ImproperCommandError)) throw error;
      this.printError(error.message);
      return 'continue';
    }
    try {
      if (command) return await this.runCommand(command);
      await this.runCql(statement);
    } catch (error) {
      const text = error instanceof DescribeError ? error.message : cqlshErrorText(error);
      if (text === null) throw error;
      this.printError(text);
    }
    return 'continue';
  }

  private executeOptions(pageSize?: number, pagingState?: Uint8Array) {
    return {
      consistency: this.consistency,
      serialConsistency: this.serialConsistency,
      ...(pageSize === undefined ? {} : { pageSize }),
      ...(pagingState === undefined ? {} : { pagingState }),
    };
  }

  private async runCql(statement: string): Promise<void> {
    const first = await this.options.backend.execute(statement, this.executeOptions(this.fetchSize()));
    if (first.kind === 'set_keyspace' && first.keyspace !== undefined) this.keyspace = first.keyspace;
    if (first.kind === 'rows') await this.printRows(statement, first);
    this.writeResult(warningLines(first.warnings));
  }

  /** Paging on: pages of pageSize; off: everything at once. */
  private fetchSize(): number | undefined {
    return this.paging ? this.pageSize : undefined;
  }

  /**
   * cqlsh's print_result: interactive with paging shows one page at a time with its own header and
   * waits at `---MORE---`; otherwise every page is fetched and shown as one table.
   */
  private async printRows(statement: string, first: ShellResult): Promise<void> {
    const names = first.columns.map((col) => nameCell(col.name, this.c));
    this.writeResult(['']);
    const pauses = this.tty && this.capture === null && this.input !== null;
    let page = first;
    let count = 0;
    let pending: (readonly (Uint8Array | null)[])[] = [...first.rows];
    while (page.pagingState) {
      if (pauses && pending.length > 0) {
        this.printPage(names, first.columns, pending, count, count === 0 || this.tty);
        count += pending.length;
        pending = [];
        if ((await this.input!.read('---MORE---')) === null) break;
      }
      page = await this.options.backend.execute(
        statement,
        this.executeOptions(this.fetchSize(), page.pagingState),
      );
      pending.push(...page.rows);
    }
    if (pending.length > 0 || count === 0) this.printPage(names, first.columns, pending, count, true);
    count += pending.length;
    if (!this.tty) this.writeResult(['']);
    this.writeResult([`(${count} rows)`]);
  }

  private printPage(
    names: readonly Cell[],
    columns: readonly ShellColumn[],
    rows: readonly (readonly (Uint8Array | null)[])[],
    rowsBefore: number,
    withHeader: boolean,
  ): void {
    if (rows.length === 0) {
      this.writeResult(tableLines(names, null, { withHeader: true, tty: this.tty }));
      return;
    }
    const cells = rowCells(columns, rows, this.c);
    if (this.expand) this.writeResult(verticalLines(names, cells, rowsBefore + 1));
    else this.writeResult(tableLines(names, cells, { withHeader, tty: this.tty }));
  }

  // ---- shell commands -------------------------------------------------------------------------

  private async runCommand(command: ShellCommand): Promise<Outcome> {
    switch (command.kind) {
      case 'exit':
        return 'exit';
      case 'consistency':
        this.setConsistency(command.level, false);
        break;
      case 'serialConsistency':
        this.setConsistency(command.level, true);
        break;
      case 'paging':
        this.setPaging(command.state, command.pageSize);
        break;
      case 'expand':
        this.expand = this.onOff('EXPAND', this.expand, command.state);
        break;
      case 'tracing':
        this.setTracing(command.state);
        break;
      case 'describe':
        await this.describe(command.target);
        break;
      case 'source':
        return this.sourceFile(command.file);
      case 'capture':
        this.setCapture(command);
        break;
      case 'copy':
        await this.copy(command);
        break;
      case 'show':
        await this.show(command.what);
        break;
      case 'help':
        this.help(command.topic);
        break;
      case 'clear':
        this.options.stdout.write('\x1b[2J\x1b[H');
        break;
    }
    return 'continue';
  }

  private setConsistency(level: ConsistencyName | undefined, serial: boolean): void {
    const label = serial ? 'serial consistency level' : 'consistency level';
    if (level === undefined) {
      this.print(`Current ${label} is ${serial ? this.serialConsistency : this.consistency}.`);
      return;
    }
    if (serial) this.serialConsistency = level;
    else this.consistency = level;
    this.print(`${serial ? 'Serial consistency' : 'Consistency'} level set to ${level}.`);
  }

  /** cqlsh's on_off_switch. */
  private onOff(name: string, current: boolean, state: boolean | undefined): boolean {
    const word = (on: boolean) => (on ? 'ON' : 'OFF');
    if (state === undefined) this.print(`${name} is ${word(current)}`);
    else if (state === current) this.print(`${name} is already ${word(current)}`);
    else this.print(`${name} set to ${word(state)}`);
    return state ?? current;
  }

  private setPaging(state: boolean | undefined, pageSize: number | undefined): void {
    if (pageSize !== undefined) {
      this.paging = true;
      this.pageSize = pageSize;
    } else this.paging = this.onOff('PAGING', this.paging, state);
    if (this.paging) this.print(`Page size: ${this.pageSize}`);
    else this.pageSize = DEFAULT_PAGE_SIZE;
  }

  private setTracing(state: boolean | undefined): void {
    if (state === true) this.printError('TRACING is not supported yet');
    else this.onOff('TRACING', false, state);
  }

  private async describe(target: Extract<ShellCommand, { kind: 'describe' }>['target']): Promise<void> {
    const [keyspaces, server] = await Promise.all([
      this.options.backend.describeSchema(),
      this.options.backend.serverInfo(),
    ]);
    const lines = describe(target, { keyspaces, currentKeyspace: this.keyspace, server });
    this.writeResult(lines);
  }

  private async sourceFile(file: string): Promise<Outcome> {
    const path = expandHome(file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      this.printError(`Could not open '${path}': ${(error as Error).message}`);
      return 'continue';
    }
    return this.runScript(text.replace(/^\uFEFF/, ''), path);
  }

  private setCapture(command: Extract<ShellCommand, { kind: 'capture' }>): void {
    if (command.off) {
      if (!this.capture) {
        this.printError('Not currently capturing output.');
        return;
      }
      closeSync(this.capture.fd);
      this.capture = null;
      return;
    }
    if (command.file === undefined) {
      this.print(
        this.capture
          ? `Currently capturing query output to '${this.capture.file}'.`
          : 'Currently not capturing query output.',
      );
      return;
    }
    if (this.capture) {
      this.printError(`Already capturing output to ${this.capture.file}. Use CAPTURE OFF to disable.`);
      return;
    }
    const file = expandHome(command.file);
    try {
      this.capture = { file, fd: openSync(file, 'a') };
      this.print(`Now capturing query output to '${file}'.`);
    } catch (error) {
      this.printError(`Could not open '${file}' for append: ${(error as Error).message}`);
    }
  }

  private async copy(command: Extract<ShellCommand, { kind: 'copy' }>): Promise<void> {
    const keyspace = command.keyspace ?? this.keyspace;
    if (keyspace === undefined) return this.printError('Not in any keyspace.');
    const request = {
      keyspace,
      table: command.table,
      ...(command.columns ? { columns: command.columns } : {}),
      file: command.file === null ? null : expandHome(command.file),
      options: command.options,
    };
    const context = {
      backend: this.options.backend,
      executeOptions: this.executeOptions(),
      print: (line: string) => this.print(line),
      tty: this.tty,
      stdout: this.options.stdout,
      progressEveryRows: this.options.copyProgressEveryRows ?? 10_000,
      nowMs: () => performance.now(),
    };
    if (command.direction === 'to') await copyTo(context, request);
    else await copyFrom(context, request, (message) => this.printError(message));
  }

  private async show(what: 'version' | 'host'): Promise<void> {
    const info = await this.options.backend.serverInfo();
    if (what === 'host') {
      const where = info.port === null ? info.host : `${info.host}:${info.port}`;
      this.print(`Connected to ${this.c.bold(this.c.blue(info.clusterName))} at ${where}`);
      return;
    }
    this.print(
      `[sibyl ${SHELL_VERSION} | Cassandra ${info.releaseVersion} | CQL spec ${info.cqlVersion} | Native protocol v${info.protocolVersion}]`,
    );
  }

  private help(topic: string | undefined): void {
    const text = helpText(topic);
    if (text === null) this.printError(`*** No help on ${topic}`);
    else this.print(text);
  }

  /** What cqlsh prints when it starts interactively. */
  async banner(): Promise<void> {
    await this.show('host');
    await this.show('version');
    this.print('Use HELP for help.');
  }

  /** Ends a capture still open (EXIT while capturing). */
  close(): void {
    if (this.capture) closeSync(this.capture.fd);
    this.capture = null;
  }
}

function expandHome(path: string): string {
  if (path !== '~' && !path.startsWith('~/')) return path;
  return (process.env.HOME ?? homedir()) + path.slice(1);
}
