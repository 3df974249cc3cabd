/**
 * Errors as cqlsh prints them. cqlsh prints `<ExceptionClass>: <message>`, where the Python driver
 * decides both: errors it converts to exceptions (InvalidRequest, Unauthorized, Unavailable, the
 * timeouts and failures) print `Error from server: code=2200 [Invalid query] message="…"` (plus
 * an `info={…}` dict for the availability errors); the others (SyntaxException,
 * ConfigurationException, ServerError, …) print the server's message alone; AlreadyExists prints
 * its own sentence. Errors come from the embedded query processor (`protocolCode`) or from the
 * driver (`code`), with the same field names.
 */

interface ErrorShape {
  readonly name: string;
  readonly summary: string;
  /** True when the driver wraps the message in `Error from server: …`. */
  readonly wrapped: boolean;
}

const SHAPES: Readonly<Record<number, ErrorShape>> = {
  0: { name: 'ServerError', summary: 'Server error', wrapped: false },
  10: { name: 'ProtocolException', summary: 'Protocol error', wrapped: false },
  256: { name: 'BadCredentials', summary: 'Bad credentials', wrapped: false },
  4096: { name: 'Unavailable', summary: 'Unavailable exception', wrapped: true },
  4097: { name: 'OverloadedErrorMessage', summary: 'Coordinator node overloaded', wrapped: false },
  4098: { name: 'IsBootstrappingErrorMessage', summary: 'Coordinator node is bootstrapping', wrapped: false },
  4099: { name: 'TruncateError', summary: 'Error during truncate', wrapped: false },
  4352: {
    name: 'WriteTimeout',
    summary: "Coordinator node timed out waiting for replica nodes' responses",
    wrapped: true,
  },
  4608: {
    name: 'ReadTimeout',
    summary: "Coordinator node timed out waiting for replica nodes' responses",
    wrapped: true,
  },
  4864: { name: 'ReadFailure', summary: 'Replica(s) failed to execute read', wrapped: true },
  5120: { name: 'FunctionFailure', summary: 'User Defined Function failure', wrapped: true },
  5376: { name: 'WriteFailure', summary: 'Replica(s) failed to execute write', wrapped: true },
  8192: { name: 'SyntaxException', summary: 'Syntax error in CQL query', wrapped: false },
  8448: { name: 'Unauthorized', summary: 'Unauthorized', wrapped: true },
  8704: { name: 'InvalidRequest', summary: 'Invalid query', wrapped: true },
  8960: {
    name: 'ConfigurationException',
    summary: 'Query invalid because of configuration issue',
    wrapped: false,
  },
  9216: { name: 'AlreadyExists', summary: 'Item already exists', wrapped: false },
  9472: {
    name: 'PreparedQueryNotFound',
    summary: 'Matching prepared statement not found on this node',
    wrapped: false,
  },
};

/** Short names the CQL corpus uses (`InvalidRequest: message`). */
const CORPUS_NAMES: Readonly<Record<number, string>> = {
  0: 'ServerError',
  10: 'ProtocolError',
  4096: 'Unavailable',
  4352: 'WriteTimeout',
  4608: 'ReadTimeout',
  8192: 'SyntaxException',
  8448: 'Unauthorized',
  8704: 'InvalidRequest',
  8960: 'ConfigurationException',
  9216: 'AlreadyExists',
  9472: 'Unprepared',
};

type ServerErrorFields = {
  readonly message: string;
  readonly consistency?: string;
  readonly required?: number;
  readonly alive?: number;
  readonly received?: number;
  readonly blockFor?: number;
  readonly writeType?: string;
  readonly dataPresent?: boolean;
  readonly keyspace?: string;
  readonly table?: string;
};

/** The protocol error code of an error from either backend; undefined for anything else (a bug). */
export function serverErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { protocolCode, code } = error as { protocolCode?: unknown; code?: unknown };
  if (typeof protocolCode === 'number') return protocolCode;
  return typeof code === 'number' ? code : undefined;
}

/** `InvalidRequest: message` for errors with a protocol code; null for anything else. */
export function describeCqlError(error: unknown): string | null {
  const code = serverErrorCode(error);
  if (code === undefined) return null;
  return `${CORPUS_NAMES[code] ?? `Error 0x${code.toString(16)}`}: ${(error as Error).message}`;
}

/** What cqlsh prints for a failed statement; null when the error is not a server's answer. */
export function cqlshErrorText(error: unknown): string | null {
  const code = serverErrorCode(error);
  if (code === undefined) return null;
  const fields = error as ServerErrorFields;
  const shape = SHAPES[code];
  if (!shape) return `Error: code=${hex(code)} message="${fields.message}"`;
  if (code === 0x2400) return `AlreadyExists: ${alreadyExists(fields)}`;
  if (!shape.wrapped) return `${shape.name}: ${fields.message}`;
  const summary = `Error from server: code=${hex(code)} [${shape.summary}] message="${fields.message}"`;
  const info = infoDict(code, fields);
  return `${shape.name}: ${summary}${info === null ? '' : ` info=${info}`}`;
}

const hex = (code: number) => code.toString(16).padStart(4, '0');

function alreadyExists(fields: ServerErrorFields): string {
  if (fields.table) return `Table '${fields.keyspace}.${fields.table}' already exists`;
  return `Keyspace '${fields.keyspace}' already exists`;
}

/** The Python driver's `info={…}` (a repr of a dict) of the availability errors. */
function infoDict(code: number, f: ServerErrorFields): string | null {
  const py = (v: unknown) =>
    typeof v === 'string' ? `'${v}'` : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
  const dict = (entries: [string, unknown][]) =>
    `{${entries.map(([k, v]) => `'${k}': ${py(v)}`).join(', ')}}`;
  if (code === 0x1000) {
    return dict([
      ['consistency', f.consistency],
      ['required_replicas', f.required],
      ['alive_replicas', f.alive],
    ]);
  }
  if (code !== 0x1100 && code !== 0x1200) return null;
  const entries: [string, unknown][] = [
    ['consistency', f.consistency],
    ['required_responses', f.blockFor],
    ['received_responses', f.received],
  ];
  if (code === 0x1100) entries.push(['write_type', f.writeType]);
  else entries.push(['data_retrieved', f.dataPresent]);
  return dict(entries);
}
