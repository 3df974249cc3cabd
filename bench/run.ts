/**
 * `npm run bench -- <name>`: runs one benchmark (or all, without a name). Each compares Sibyl
 * with a reference in the same run and ends with one JSON line.
 */
const benches: Record<string, () => Promise<unknown>> = {
  storage: async () => (await import('./storage.js')).run(),
  murmur3: async () => (await import('./murmur3.js')).run(),
  commitlog: async () => (await import('./commitlog.js')).run(),
  sstable: async () => (await import('./sstable.js')).run(),
  cql: async () => (await import('./cql.js')).run(),
  client: async () => (await import('./client.js')).run(),
  messaging: async () => (await import('./messaging.js')).run(),
  cluster: async () => (await import('./cluster.js')).run(),
};

const name = process.argv[2];
const chosen = name ? [name] : Object.keys(benches);
for (const n of chosen) {
  const bench = benches[n];
  if (!bench) {
    console.error(`unknown benchmark "${n}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
