/**
 * Running `sibyl cluster …` as real child processes with HOME in a temporary folder, and making sure
 * no node outlives a test: every node.pid under the folder names a process group, killed at the end.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { portsFor } from '../../cli/cluster/cluster-spec.js';
import { portProblems } from '../../cli/cluster/port-check.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class ClusterSandbox {
  private constructor(readonly home: string) {}

  static async create(): Promise<ClusterSandbox> {
    return new ClusterSandbox(await mkdtemp(join(tmpdir(), 'sibyl-cluster-')));
  }

  get root(): string {
    return join(this.home, '.sibyl');
  }

  /** `node bin/sibyl.js cluster ARGS` with this HOME; never rejects, the exit code is in the result. */
  cluster(...args: string[]): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.home };
    delete env.SIBYL_CLUSTERS_DIR;
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['bin/sibyl.js', 'cluster', ...args],
        { env, timeout: 90_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** SIGKILL to every node's process group that has a pid file, then the folder goes. */
  async destroy(): Promise<void> {
    for (const pid of await this.nodePids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(this.home, { recursive: true, force: true });
  }

  async nodePids(): Promise<number[]> {
    const pids: number[] = [];
    for (const cluster of await readdir(this.root).catch(() => [] as string[])) {
      for (const node of await readdir(join(this.root, cluster)).catch(() => [] as string[])) {
        const text = await readFile(join(this.root, cluster, node, 'node.pid'), 'utf8').catch(() => '');
        const pid = Number(text.trim());
        if (Number.isSafeInteger(pid) && pid > 1) pids.push(pid);
      }
    }
    return pids;
  }
}

/**
 * A port offset at which 127.0.0.1 … 127.0.0.N can bind all three ports. Cassandra's own ports may
 * be taken on a shared machine (another cluster, another test), so tests always use an offset;
 * random so that two runs at once do not meet, and below 32768 so that ports the OS hands out
 * (ephemeral range) never collide with them.
 */
export async function freePortOffset(nodeCount: number): Promise<number> {
  const addresses = Array.from({ length: nodeCount }, (_, i) => `127.0.0.${i + 1}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 10_000 + 10 * Math.floor(Math.random() * 1300);
    if ((await portProblems(addresses, portsFor(offset))).length === 0) return offset;
  }
  throw new Error('no free port offset found for the test cluster');
}

/** `SELECT release_version FROM system.local` on exactly that node (the allow-list pins the host). */
export async function releaseVersionOf(address: string, port: number): Promise<string> {
  const endpoint = `${address}:${port}`;
  const client = new cassandra.Client({
    contactPoints: [endpoint],
    localDataCenter: 'datacenter1',
    policies: {
      loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(
        new cassandra.policies.loadBalancing.RoundRobinPolicy(),
        [endpoint],
      ),
    },
  });
  try {
    await client.connect();
    const result = await client.execute('SELECT release_version, rpc_address FROM system.local');
    const row = result.first();
    if (row.get('rpc_address').toString() !== address)
      throw new Error(`answered by ${row.get('rpc_address')}`);
    return row.get('release_version') as string;
  } finally {
    await client.shutdown();
  }
}

/** `status` output → state per node name. */
export function statesOf(statusOutput: string): Record<string, string> {
  const states: Record<string, string> = {};
  for (const line of statusOutput.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 7 && /^127\./.test(fields[1] ?? '')) states[fields[0]!] = fields[4]!;
  }
  return states;
}
