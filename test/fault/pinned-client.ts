/**
 * A DataStax `cassandra-driver` client that sends every request to one node (a whitelist of one),
 * so a fault test chooses its coordinator — and, with the other replicas down, the replica it reads.
 */
import cassandra from 'cassandra-driver';

const { WhiteListPolicy, RoundRobinPolicy } = cassandra.policies.loadBalancing;

export type Level = 'ONE' | 'QUORUM' | 'ALL';

export class PinnedClient {
  private readonly client: cassandra.Client;

  constructor(host: string, port: number) {
    this.client = new cassandra.Client({
      contactPoints: [`${host}:${port}`],
      localDataCenter: 'datacenter1',
      protocolOptions: { port },
      policies: { loadBalancing: new WhiteListPolicy(new RoundRobinPolicy(), [`${host}:${port}`]) },
    });
  }

  async execute(cql: string, params: unknown[] = [], level: Level = 'ONE'): Promise<cassandra.types.Row[]> {
    const result = await this.client.execute(cql, params, {
      prepare: true,
      consistency:
        cassandra.types.consistencies[level === 'ONE' ? 'one' : level === 'QUORUM' ? 'quorum' : 'all'],
    });
    return result.rows;
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
