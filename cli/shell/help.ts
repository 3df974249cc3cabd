/** HELP: the topics cqlsh lists, and a short page for each shell command. */
import { columnize } from './describe.js';

const TOPICS: Readonly<Record<string, string>> = {
  CAPTURE:
    "CAPTURE '<file>'; CAPTURE OFF; CAPTURE;\n  Appends query results to a file instead of showing them; OFF stops, no argument tells.",
  CLEAR: 'CLEAR (or CLS)\n  Clears the console.',
  CONSISTENCY:
    'CONSISTENCY [<level>]\n  Shows or sets the consistency level of later requests (default ONE): ANY, ONE, TWO, THREE,\n  QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, SERIAL, LOCAL_SERIAL.',
  COPY: "COPY <table> [(<column>, ...)] TO '<file>' | STDOUT [WITH <option> = '<value>' [AND ...]];\nCOPY <table> [(<column>, ...)] FROM '<file>' [WITH <option> = '<value>' [AND ...]];\n  Exports or imports CSV. Options: HEADER (false), DELIMITER (','), QUOTE ('\"'), ESCAPE ('\\'),\n  NULL (''), PAGESIZE (1000, COPY TO).",
  DESCRIBE:
    'DESCRIBE KEYSPACES | KEYSPACE [<ks>] | TABLES | TABLE [<ks>.]<t> | TYPES | TYPE [<ks>.]<t>\n         | [FULL] SCHEMA | CLUSTER | <name>\n  Prints names, or the CQL that recreates the schema objects (DESC for short).',
  EXIT: 'EXIT (or QUIT)\n  Leaves the shell.',
  EXPAND: 'EXPAND [ON | OFF]\n  Shows or sets the vertical (one line per column) layout of results.',
  HELP: 'HELP [<topic>]\n  Lists the topics, or shows one.',
  PAGING:
    'PAGING [ON | OFF | <page size>]\n  Shows or sets paging: results come in pages (100 rows by default), with ---MORE--- between\n  pages on a terminal.',
  SERIAL:
    'SERIAL CONSISTENCY [SERIAL | LOCAL_SERIAL]\n  Shows or sets the serial consistency level of conditional updates.',
  SHOW: 'SHOW VERSION | HOST\n  Shows the versions of the shell and the server, or where the shell is connected.',
  SOURCE: "SOURCE '<file>'\n  Runs the statements of a file; errors do not stop it.",
  TRACING: 'TRACING [ON | OFF]\n  Request tracing: not supported by Sibyl yet.',
};

const CQL_TOPICS = [
  'ALTER_KEYSPACE',
  'ALTER_TABLE',
  'ALTER_TYPE',
  'APPLY',
  'BEGIN',
  'CREATE_KEYSPACE',
  'CREATE_TABLE',
  'CREATE_TYPE',
  'DELETE',
  'DROP_KEYSPACE',
  'DROP_TABLE',
  'DROP_TYPE',
  'INSERT',
  'SELECT',
  'TRUNCATE',
  'TYPES',
  'UPDATE',
  'USE',
];

function topicList(header: string, topics: readonly string[]): string[] {
  return [header, '='.repeat(header.length), ...columnize(topics, 79), ''];
}

/** The text HELP prints; null for an unknown topic. */
export function helpText(topic: string | undefined): string | null {
  if (topic === undefined) {
    return [
      '',
      ...topicList('Documented shell commands:', Object.keys(TOPICS)),
      ...topicList('CQL help topics:', CQL_TOPICS),
      'CQL itself: see docs/cql.md of Sibyl.',
    ].join('\n');
  }
  const key = topic.toUpperCase().replace(/\s+/g, '_');
  const aliases: Record<string, string> = {
    DESC: 'DESCRIBE',
    QUIT: 'EXIT',
    CLS: 'CLEAR',
    SERIAL_CONSISTENCY: 'SERIAL',
  };
  const page = TOPICS[aliases[key] ?? key];
  if (page !== undefined) return page;
  if (CQL_TOPICS.includes(key)) return `${key}: see docs/cql.md (the CQL Sibyl supports).`;
  return null;
}
