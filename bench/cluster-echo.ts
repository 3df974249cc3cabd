/**
 * One bare replica of the cluster benchmark's fan-out baseline, run as its own process:
 * `node --import tsx bench/cluster-echo.ts HOST` listens on HOST (a free port), prints
 * `listening PORT`, and answers every length-prefixed msgpackr frame with the same message (decoded
 * and encoded again, as bench/messaging.ts's bare echo does), a tick's answers in one write. It exits
 * when its stdin closes, so it never outlives the benchmark.
 */
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Packr } from 'msgpackr';
import { frame, onFrames, writer } from './messaging.js';

function serve(host: string): void {
  const packr = new Packr({ useRecords: false });
  const server = createServer({ noDelay: true }, (socket) => {
    const write = writer(socket, true);
    socket.on('error', () => socket.destroy());
    onFrames(socket, (body) => write(frame(packr.pack(packr.unpack(body)))));
  });
  server.listen(0, host, () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address !== null ? address.port : 0}`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  serve(process.argv[2] ?? '127.0.0.1');
