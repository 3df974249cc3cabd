import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { getToken } from '../ring/murmur3-partitioner.js';

/*
 * Tokens per second for 16-byte keys (a uuid partition key): our partitioner against
 * murmurhash3js-revisited (the reference it is tested equal to), turned into a bigint token the
 * simplest way. Keys are fixed pseudo-random bytes so runs compare; each side is warmed up first.
 */
interface ReferenceMurmur3 {
  x64: { hash128(bytes: Uint8Array, seed?: number): string };
}

const KEY_COUNT = 1024;
const KEY_BYTES = 16;

function makeKeys(): Uint8Array[] {
  let state = 0x2545f491;
  const keys: Uint8Array[] = [];
  for (let index = 0; index < KEY_COUNT; index++) {
    const key = new Uint8Array(KEY_BYTES);
    for (let offset = 0; offset < KEY_BYTES; offset++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      key[offset] = state >>> 24;
    }
    keys.push(key);
  }
  return keys;
}

/** Runs `hash` over the keys for about `durationMs` and returns tokens per second. */
function measure(keys: Uint8Array[], hash: (key: Uint8Array) => bigint, durationMs: number): number {
  let sink = 0n;
  for (let index = 0; index < 20_000; index++) sink ^= hash(keys[index % KEY_COUNT]!);
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let index = 0; index < KEY_COUNT; index++) sink ^= hash(keys[index]!);
    count += KEY_COUNT;
    now = process.hrtime.bigint();
  }
  if (sink === 1n) console.log('(sink)'); // keeps the results observable so nothing is optimized away
  return count / (Number(now - start) / 1e9);
}

/** Prints both rates, their ratio and one JSON line (the bench runner's convention). */
export async function run(): Promise<void> {
  const reference = createRequire(import.meta.url)('murmurhash3js-revisited') as ReferenceMurmur3;
  const referenceToken = (key: Uint8Array): bigint =>
    BigInt.asIntN(64, BigInt(`0x${reference.x64.hash128(key, 0).slice(0, 16)}`));
  const keys = makeKeys();
  const ours = measure(keys, getToken, 700);
  const theirs = measure(keys, referenceToken, 700);
  const format = (perSecond: number): string => `${(perSecond / 1e6).toFixed(2)} M tokens/s`;
  console.log(`murmur3 (16-byte keys)`);
  console.log(`  sibyl getToken            ${format(ours)}`);
  console.log(`  murmurhash3js-revisited   ${format(theirs)}`);
  console.log(`  ratio                     ${(ours / theirs).toFixed(1)}x`);
  console.log(
    JSON.stringify({
      bench: 'murmur3',
      sibyl_tokens_per_second: Math.round(ours),
      reference_tokens_per_second: Math.round(theirs),
      ratio: Math.round((ours / theirs) * 10) / 10,
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
