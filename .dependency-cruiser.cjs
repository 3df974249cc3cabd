// Layer rule of DESIGN.md: imports flow downward only,
//   cli -> driver -> node -> cql -> ring, storage   (common/ is below all of them)
// The driver's client needs only cql/protocol and ring; driver/embedded is the one place that imports node.
const layer = (from, forbidden) => ({
  name: `${from}-not-to-upper`,
  severity: 'error',
  comment: `${from}/ must not import ${forbidden.join(', ')} (DESIGN.md layers)`,
  from: { path: `^${from}/` },
  to: { path: `^(${forbidden.join('|')})/` },
});

module.exports = {
  forbidden: [
    layer('common', ['cli', 'driver', 'node', 'cql', 'ring', 'storage']),
    layer('storage', ['cli', 'driver', 'node', 'cql', 'ring']),
    layer('ring', ['cli', 'driver', 'node', 'cql', 'storage']),
    layer('cql', ['cli', 'driver', 'node']),
    layer('node', ['cli', 'driver']),
    layer('driver', ['cli']),
    {
      name: 'driver-client-not-to-node',
      severity: 'error',
      comment: 'only driver/embedded may import node/',
      from: { path: '^driver/', pathNot: '^driver/embedded' },
      to: { path: '^node/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
