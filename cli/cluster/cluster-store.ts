/**
 * The clusters' folder, as ccm keeps `~/.ccm`:
 *   ~/.sibyl/CURRENT                   the current cluster's name
 *   ~/.sibyl/NAME/cluster.json         the ClusterSpec (cluster-spec.ts)
 *   ~/.sibyl/NAME/nodeK/               the node's data dir (commitlog/, data/, hints/, logs/system.log)
 *   ~/.sibyl/NAME/nodeK/sibyl.yaml     its configuration, derived from cluster.json
 *   ~/.sibyl/NAME/nodeK/node.pid       pid of its process (also its process group) while it runs
 *   ~/.sibyl/NAME/nodeK/logs/stdout.log  what the process printed (start-up errors land here)
 * HOME comes from the environment, so tests and users can keep clusters wherever they like.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ClusterError } from './cluster-error.js';
import type { ClusterSpec, NodeSpec } from './cluster-spec.js';
import { checkName, nodeConfig, parseClusterSpec } from './cluster-spec.js';

export interface NodePaths {
  readonly dir: string;
  readonly configFile: string;
  readonly pidFile: string;
  readonly logsDir: string;
  readonly stdoutLog: string;
  readonly systemLog: string;
}

export class ClusterStore {
  constructor(readonly root: string) {}

  /** `$HOME/.sibyl`, or `$SIBYL_CLUSTERS_DIR` when set. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ClusterStore {
    return new ClusterStore(env.SIBYL_CLUSTERS_DIR || join(env.HOME || homedir(), '.sibyl'));
  }

  clusterDir(name: string): string {
    return join(this.root, name);
  }

  nodePaths(cluster: string, node: string): NodePaths {
    const dir = join(this.clusterDir(cluster), node);
    const logsDir = join(dir, 'logs');
    return {
      dir,
      configFile: join(dir, 'sibyl.yaml'),
      pidFile: join(dir, 'node.pid'),
      logsDir,
      stdoutLog: join(logsDir, 'stdout.log'),
      systemLog: join(logsDir, 'system.log'),
    };
  }

  async exists(name: string): Promise<boolean> {
    try {
      await readFile(join(this.clusterDir(name), 'cluster.json'));
      return true;
    } catch {
      return false;
    }
  }

  async load(name: string): Promise<ClusterSpec> {
    checkName('cluster', name);
    const file = join(this.clusterDir(name), 'cluster.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      const known = (await this.list()).join(', ') || 'none';
      throw new ClusterError('UNKNOWN_CLUSTER', `no cluster '${name}' in ${this.root} (clusters: ${known})`);
    }
    return parseClusterSpec(JSON.parse(text), file);
  }

  /** Writes cluster.json (atomically) and every node's folder and sibyl.yaml, derived from it. */
  async save(spec: ClusterSpec): Promise<void> {
    const dir = this.clusterDir(spec.name);
    await mkdir(dir, { recursive: true });
    for (const node of spec.nodes) await this.writeNodeConfig(spec, node);
    await writeAtomically(join(dir, 'cluster.json'), `${JSON.stringify(spec, null, 2)}\n`);
  }

  private async writeNodeConfig(spec: ClusterSpec, node: NodeSpec): Promise<void> {
    const paths = this.nodePaths(spec.name, node.name);
    await mkdir(paths.logsDir, { recursive: true });
    const header =
      '# Written by `sibyl cluster` from ../cluster.json; rewritten whenever the cluster changes.\n';
    await writeAtomically(paths.configFile, header + toYaml(nodeConfig(spec, node, paths.dir)));
  }

  async removeCluster(name: string): Promise<void> {
    await rm(this.clusterDir(name), { recursive: true, force: true });
    if ((await this.current()) === name) await rm(join(this.root, 'CURRENT'), { force: true });
  }

  async removeNodeFolder(cluster: string, node: string): Promise<void> {
    await rm(this.nodePaths(cluster, node).dir, { recursive: true, force: true });
  }

  /** Cluster names, sorted: folders holding a cluster.json. */
  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return [];
    }
    const names: string[] = [];
    for (const entry of entries.sort()) {
      if (entry !== 'CURRENT' && (await this.exists(entry))) names.push(entry);
    }
    return names;
  }

  async current(): Promise<string | undefined> {
    try {
      const name = (await readFile(join(this.root, 'CURRENT'), 'utf8')).trim();
      return name === '' ? undefined : name;
    } catch {
      return undefined;
    }
  }

  async setCurrent(name: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeAtomically(join(this.root, 'CURRENT'), `${name}\n`);
  }

  /** The named cluster, or the current one (ccm's rule for commands without a name). */
  async resolve(name: string | undefined): Promise<ClusterSpec> {
    const chosen = name ?? (await this.current());
    if (chosen === undefined)
      throw new ClusterError(
        'NO_CURRENT_CLUSTER',
        'no current cluster: create one (sibyl cluster create NAME -n 3), pick one (sibyl cluster switch NAME) or pass --cluster NAME',
      );
    return this.load(chosen);
  }
}

/** A reader never sees half a file: write a sibling, then rename over. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
