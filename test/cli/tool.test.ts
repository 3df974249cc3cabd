/**
 * `sibyl tool` as a real child process (`node --import tsx cli/main.ts tool …`) against three nodes
 * started in this process on 127.0.0.1–3 with the same ports (as ccm runs them), the admin port
 * included: status from any node lists all three UN with their host ids; once node3 is closed, the
 * survivors print it DN; a node nobody listens on is one error line and exit status 1.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../node/admin/admin-types.js';
import type { SibylNode } from '../../node/index.js';
import { HOSTS, until } from '../node/cluster/cluster-helpers.js';
import { InProcessCluster } from '../node/cluster/in-process.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let cluster: InProcessCluster;
let nodes: SibylNode[];
let adminPort: number;

interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function tool(...args: string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'tool', ...args],
      { cwd: repositoryRoot, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The `XY  address … host id` rows of `tool status`, by address. */
function statusRows(stdout: string): Map<string, { state: string; line: string }> {
  const rows = new Map<string, { state: string; line: string }>();
  for (const line of stdout.split('\n')) {
    const match = /^([UD?][NJLM])\s+(\S+)\s/.exec(line);
    if (match) rows.set(match[2]!, { state: match[1]!, line });
  }
  return rows;
}

async function adminStatus(node: SibylNode): Promise<StatusResponse> {
  const response = await fetch(`http://${node.config.listenAddress}:${node.adminPort}/status`);
  return (await response.json()) as StatusResponse;
}

beforeAll(async () => {
  cluster = await InProcessCluster.create({
    nodes: 3,
    dirPrefix: 'sibyl-tool-',
    commonAdminPort: true,
    config: { logLevel: 'error' },
  });
  adminPort = cluster.adminPort;
  nodes = await cluster.startAll({ together: true });
  await cluster.waitConverged();
});

afterAll(async () => {
  await cluster?.close();
});

describe('sibyl tool', () => {
  it('gives every node the same admin port on its own address', () => {
    expect(nodes.map((n) => n.adminPort)).toEqual([adminPort, adminPort, adminPort]);
  });

  it('status from 127.0.0.2 prints every node UN with its host id, under the nodetool legend', async () => {
    const result = await tool('--host', HOSTS[1], '--port', String(adminPort), 'status');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Datacenter: datacenter1\n=+\nStatus=Up\/Down\n\|\/ State=Normal\/Leaving\/Joining\/Moving\n-- {2}Address/,
    );
    const rows = statusRows(result.stdout);
    expect([...rows.keys()]).toEqual([...HOSTS]);
    for (const [index, node] of nodes.entries()) {
      const row = rows.get(HOSTS[index]!)!;
      expect(row.state).toBe('UN');
      expect(row.line).toContain(node.hostId);
      expect(row.line).toMatch(/\s4\s+\?\s+[0-9a-f-]{36}\s+rack1$/);
    }
    expect(result.stdout).toContain('Note: Ownership information does not include topology');
  });

  it('takes the options after the command too, and answers describering errors on stderr with exit 1', async () => {
    const version = await tool('version', '-h', HOSTS[2], '-p', String(adminPort));
    expect([version.code, version.stdout]).toEqual([0, 'ReleaseVersion: 4.1.0\n']);
    const unknown = await tool('describering', 'nope', '--port', String(adminPort));
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'error: Keyspace nope does not exist\n' });
  });

  it('prints DN for a node that was closed, once gossip marks it down', async () => {
    const node3 = nodes[2]!;
    const hostId = node3.hostId;
    await node3.close();
    await until('node1 admin endpoint reports node3 down', async () =>
      (await adminStatus(nodes[0]!)).endpoints.some((e) => e.hostId === hostId && e.status === 'DOWN'),
    );
    const result = await tool('--host', HOSTS[0], '--port', String(adminPort), 'status');
    expect(result.code).toBe(0);
    const rows = statusRows(result.stdout);
    expect(rows.get(HOSTS[2])?.state).toBe('DN');
    expect(rows.get(HOSTS[2])?.line).toContain(hostId);
    expect(rows.get(HOSTS[0])?.state).toBe('UN');
    expect(rows.get(HOSTS[1])?.state).toBe('UN');
  });

  it('reports a node that cannot be reached in one line and exits 1', async () => {
    const result = await tool('--host', HOSTS[2], '--port', String(adminPort), 'status');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `nodetool: Failed to connect to '${HOSTS[2]}:${adminPort}' - ConnectException: 'Connection refused'.\n`,
    });
  });
});
