/**
 * `sibyl cluster` end to end: real node processes on 127.0.0.1 … 127.0.0.3, driven through the CLI
 * with HOME in a temporary folder. The steps share one cluster (starting nodes is the slow part), so
 * they run in order; afterAll kills every node's process group whatever happened.
 */
import { execFile } from 'node:child_process';
import { access, appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCql } from '../../cli/cluster/cql-probe.js';
import { parseConfigYaml } from '../../node/config.js';
import { ClusterSandbox, freePortOffset, releaseVersionOf, statesOf } from './cluster-helpers.js';

let sandbox: ClusterSandbox;
let offset: number;
let nativePort: number;

beforeAll(async () => {
  sandbox = await ClusterSandbox.create();
  offset = await freePortOffset(3);
  nativePort = 9042 + offset;
});

afterAll(async () => {
  await sandbox?.destroy();
});

/** `node bin/sibyl.js tool ARGS`; never rejects, the exit code is in the result. */
function sibylTool(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sibyl.js', 'tool', ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('sibyl cluster', () => {
  it('create writes cluster.json and a sibyl.yaml per node, and makes the cluster current', async () => {
    const created = await sandbox.cluster('create', 'alpha', '-n', '3', '--port-offset', String(offset));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect((await readFile(join(sandbox.root, 'CURRENT'), 'utf8')).trim()).toBe('alpha');
    const spec = JSON.parse(await readFile(join(sandbox.root, 'alpha', 'cluster.json'), 'utf8'));
    expect(spec.nodes.map((n: { address: string }) => n.address)).toEqual([
      '127.0.0.1',
      '127.0.0.2',
      '127.0.0.3',
    ]);
    expect(spec.seeds).toEqual(['127.0.0.1']);
    const node2Dir = join(sandbox.root, 'alpha', 'node2');
    const config = parseConfigYaml(await readFile(join(node2Dir, 'sibyl.yaml'), 'utf8'));
    expect(config).toMatchObject({
      clusterName: 'alpha',
      numTokens: 16,
      listenAddress: '127.0.0.2',
      nativePort,
      storagePort: 7000 + offset,
      seeds: ['127.0.0.1'],
      dc: 'datacenter1',
      rack: 'rack1',
      dataDir: node2Dir,
    });
  });

  it('start returns once every node accepts CQL; each answers from system.local', async () => {
    const started = await sandbox.cluster('start');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    for (const k of [1, 2, 3])
      expect(started.stdout).toContain(`node${k} accepts CQL on 127.0.0.${k}:${nativePort}`);
    // No retry here: `start` promised that all three already serve requests.
    const versions = await Promise.all([1, 2, 3].map((k) => releaseVersionOf(`127.0.0.${k}`, nativePort)));
    expect(versions).toEqual(['4.1.0', '4.1.0', '4.1.0']);
  });

  it('status shows three nodes UP; starting again leaves running nodes alone', async () => {
    const status = await sandbox.cluster('status');
    expect(statesOf(status.stdout)).toEqual({ node1: 'UP', node2: 'UP', node3: 'UP' });
    const again = await sandbox.cluster('start');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('node2 is already running');
  });

  it('sibyl tool --host 127.0.0.2 status reaches node2 on the admin port the cluster gave it: three UN', async () => {
    const adminPort = String(7199 + offset);
    // Gossip may still be spreading the last NORMAL: poll the tool itself until it shows all three.
    const deadline = Date.now() + 30_000;
    let result = await sibylTool('--host', '127.0.0.2', '--port', adminPort, 'status');
    while ((result.stdout.match(/^UN {2}127\.0\.0\.\d/gm) ?? []).length < 3 && Date.now() < deadline)
      result = await sibylTool('--host', '127.0.0.2', '--port', adminPort, 'status');
    expect(result.stderr).toBe('');
    expect(result.stdout.match(/^UN {2}127\.0\.0\.\d/gm)?.sort()).toEqual([
      'UN  127.0.0.1',
      'UN  127.0.0.2',
      'UN  127.0.0.3',
    ]);
  });

  it('a node killed with --kill is DOWN and comes back UP with start NODE', async () => {
    const killed = await sandbox.cluster('stop', 'node2', '--kill');
    expect(killed.code).toBe(0);
    expect(statesOf((await sandbox.cluster('status')).stdout)).toEqual({
      node1: 'UP',
      node2: 'DOWN',
      node3: 'UP',
    });
    const restarted = await sandbox.cluster('start', 'node2');
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain('node2 accepts CQL');
    expect(await releaseVersionOf('127.0.0.2', nativePort)).toBe('4.1.0');
    expect(statesOf((await sandbox.cluster('status')).stdout)).toEqual({
      node1: 'UP',
      node2: 'UP',
      node3: 'UP',
    });
  });

  it('start refuses ports in use, naming the address and the cluster holding them', async () => {
    await sandbox.cluster('create', 'clash', '-n', '1', '--port-offset', String(offset));
    const clash = await sandbox.cluster('start', '-c', 'clash');
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`127.0.0.1:${nativePort} is in use by node1 of cluster 'alpha'`);
    expect(await sandbox.cluster('remove', '-c', 'clash')).toMatchObject({ code: 0 });
  });

  it('list marks the current cluster; switch changes it; unknown names are clear errors', async () => {
    await sandbox.cluster('create', 'beta', '-n', '2', '--dcs', '2', '--port-offset', String(offset + 1000));
    const [listed, status] = await Promise.all([sandbox.cluster('list'), sandbox.cluster('status')]);
    expect(listed.stdout).toBe('  alpha\n* beta\n');
    expect(status.stdout).toMatch(/node2\s+127\.0\.0\.2\s+dc2\s+rack1\s+DOWN/);
    expect((await sandbox.cluster('switch', 'alpha')).code).toBe(0);
    const [relisted, unknownCluster, unknownNode, existing] = await Promise.all([
      sandbox.cluster('list'),
      sandbox.cluster('switch', 'gamma'),
      sandbox.cluster('stop', 'node9'),
      sandbox.cluster('create', 'beta', '-n', '1'),
    ]);
    expect(relisted.stdout).toBe('* alpha\n  beta\n');
    expect(unknownCluster).toMatchObject({ code: 1, stderr: expect.stringContaining("no cluster 'gamma'") });
    expect(unknownNode).toMatchObject({ code: 1, stderr: expect.stringContaining("no node 'node9'") });
    expect(existing).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("cluster 'beta' already exists"),
    });
  });

  it('a node that fails at start-up is reported by name with the end of its output', async () => {
    const config = join(sandbox.root, 'beta', 'node1', 'sibyl.yaml');
    await appendFile(config, 'bogus_property: 1\n');
    const failed = await sandbox.cluster('start', 'node1', '-c', 'beta');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('node1 exited (code 1) before accepting CQL');
    expect(failed.stderr).toContain(join(sandbox.root, 'beta', 'node1', 'logs', 'stdout.log'));
    expect(failed.stderr).toContain('Please remove properties [bogus_property]');
    expect(statesOf((await sandbox.cluster('status', '-c', 'beta')).stdout)).toEqual({
      node1: 'DOWN',
      node2: 'DOWN',
    });
  });

  it('stop drains every node (SIGTERM, node stopped cleanly) and status shows them DOWN', async () => {
    const stopped = await sandbox.cluster('stop');
    expect(stopped.code).toBe(0);
    expect(statesOf((await sandbox.cluster('status')).stdout)).toEqual({
      node1: 'DOWN',
      node2: 'DOWN',
      node3: 'DOWN',
    });
    const output = await readFile(join(sandbox.root, 'alpha', 'node1', 'logs', 'stdout.log'), 'utf8');
    expect(output).toContain('SIGTERM received: draining');
    const systemLog = await readFile(join(sandbox.root, 'alpha', 'node1', 'logs', 'system.log'), 'utf8');
    expect(systemLog).toContain('"msg":"node stopped"');
    expect(await sandbox.nodePids()).toEqual([]);
  });

  it('remove kills a running cluster and deletes its folder; the current cluster is cleared', async () => {
    expect((await sandbox.cluster('start', 'node1')).code).toBe(0);
    const removed = await sandbox.cluster('remove');
    expect(removed.code).toBe(0);
    expect(await exists(join(sandbox.root, 'alpha'))).toBe(false);
    expect(await exists(join(sandbox.root, 'CURRENT'))).toBe(false);
    expect((await probeCql('127.0.0.1', nativePort, 1000)).ok).toBe(false);
    expect((await sandbox.cluster('list')).stdout).toBe('  beta\n');
    expect((await sandbox.cluster('remove', '-c', 'beta')).code).toBe(0);
    expect(await exists(join(sandbox.root, 'beta'))).toBe(false);
  });
});
