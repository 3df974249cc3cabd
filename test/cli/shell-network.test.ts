/**
 * The network backend against a node in this process (driver/embedded): the shell's statements,
 * paging, errors and DESCRIBE over the native protocol, as `sibyl shell HOST PORT` runs them.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkBackend } from '../../cli/shell/network-backend.js';
import { Shell } from '../../cli/shell/shell.js';
import { type EmbeddedNode, startNode } from '../../driver/embedded.js';
import { tempDir } from '../storage/helpers.js';

let node: EmbeddedNode;
let backend: NetworkBackend;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('sibyl-shell-net-');
  cleanup = temp.cleanup;
  node = await startNode({ dataDir: temp.dir, nativePort: 0, logToFile: false, logLevel: 'warn' });
  backend = await NetworkBackend.connect({
    host: node.address,
    port: node.port,
    dataCenter: node.node.config.dc,
  });
});

afterAll(async () => {
  await backend?.close();
  await node?.close();
  await cleanup?.();
});

async function run(script: string): Promise<{ out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (d: Buffer) => {
    outText += d.toString();
  });
  err.on('data', (d: Buffer) => {
    errText += d.toString();
  });
  const shell = new Shell({ backend, tty: false, color: false, stdout: out, stderr: err });
  await shell.runScript(script, '<stdin>');
  await new Promise((resolve) => setImmediate(resolve));
  return { out: outText, err: errText };
}

describe('sibyl shell over the native protocol', () => {
  it('runs statements, pages through results and prints errors as cqlsh', async () => {
    const setup = await run(
      "CREATE KEYSPACE n WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};" +
        'CREATE TABLE n.t (k int, c int, v text, PRIMARY KEY (k, c));' +
        Array.from({ length: 5 }, (_, i) => `INSERT INTO n.t (k, c, v) VALUES (1, ${i}, 'v${i}');`).join(''),
    );
    expect(setup.err).toBe('');
    const paged = await run('USE n; PAGING 2; SELECT c, v FROM t WHERE k = 1;');
    expect(paged.out).toBe(
      'Page size: 2\n\n c | v\n---+----\n 0 | v0\n 1 | v1\n 2 | v2\n 3 | v3\n 4 | v4\n\n(5 rows)\n',
    );
    const failed = await run('SELECT * FROM n.nope;');
    expect(failed.err).toBe(
      '<stdin>:1:InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table nope"\n',
    );
  });

  it('describes the schema read from system_schema', async () => {
    const described = await run('DESCRIBE TABLE n.t; SHOW VERSION');
    expect(described.err).toBe('');
    expect(described.out).toContain(
      'CREATE TABLE n.t (\n    k int,\n    c int,\n    v text,\n    PRIMARY KEY (k, c)\n)',
    );
    expect(described.out).toMatch(/\[sibyl 0\.1\.0 \| Cassandra \S+ \| CQL spec \S+ \| Native protocol v4\]/);
  });
});
