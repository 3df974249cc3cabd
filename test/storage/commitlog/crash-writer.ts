/**
 * Fixture for crash.test.ts (not a test itself): appends records to the commit log in `dir` in
 * `batch` mode, forever, with several appends in flight, and prints the sequence number of each
 * acknowledged append on its own line. The test kills this process with SIGKILL.
 *
 *   node --import tsx test/storage/commitlog/crash-writer.ts <dir>
 */
import { CommitLog } from '../../../storage/commitlog/commit-log.js';
import { crashPayload, crashTable } from './crash-records.js';

const IN_FLIGHT = 16;
const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: crash-writer.ts <dir>');

const log = await CommitLog.open(dir, {
  segmentSizeBytes: 16 * 1024,
  sync: 'batch',
  syncPeriodMs: 10_000,
  groupWindowMs: 15,
  maxRecordSizeBytes: 4096,
});
let next = 0;
async function writer(): Promise<void> {
  for (;;) {
    const seq = next++;
    await log.append(crashTable(seq), crashPayload(seq));
    process.stdout.write(`${seq}\n`);
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
