// The durable receiver a careful mintfax customer would write instead of
// faxtop (issue 17): verify the Standard Webhooks signature with the library
// the docs recommend, parse the JSON, store every event in SQLite
// (better-sqlite3, WAL, synchronous=FULL) and acknowledge only after the
// commit that holds it. Commits are grouped per event-loop turn: every
// request that completed in one turn waits for one transaction, committed
// from setImmediate, so the comparison with faxtop's group commit is fair.
// Duplicates (the same event id) are stored once and still answered 204.
//
//   node receiver-sqlite.js --listen 127.0.0.1:0 --ready-file FILE --db FILE
//   secret from MINTFAX_WEBHOOK_SECRET (never printed)
'use strict';

const http = require('http');
const fs = require('fs');
const Database = require('better-sqlite3');
const { Webhook } = require('standardwebhooks');

function arg(name, def) {
	const i = process.argv.indexOf(name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const secret = process.env.MINTFAX_WEBHOOK_SECRET;
if (!secret) {
	console.error('receiver-sqlite: set MINTFAX_WEBHOOK_SECRET');
	process.exit(2);
}
const listen = arg('--listen', '127.0.0.1:0');
const readyFile = arg('--ready-file', null);
const dbPath = arg('--db', 'events.db');
const maxBody = 1024 * 1024;
const wh = new Webhook(secret);
const counts = { accepted: 0, duplicate: 0, refused: 0, invalid: 0, commits: 0, failed: 0 };

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY NOT NULL,' +
	' type TEXT NOT NULL, received_at INTEGER NOT NULL, raw TEXT NOT NULL)');
const insert = db.prepare('INSERT OR IGNORE INTO events (id, type, received_at, raw)' +
	' VALUES (?, ?, ?, ?)');
const batch = db.transaction((items) => {
	for (const it of items)
		it.fresh = insert.run(it.id, it.type, it.at, it.raw).changes > 0;
});

let pending = [];
let scheduled = false;

function answer(res, status, body) {
	if (body === undefined) {
		res.writeHead(status);
		res.end();
	} else {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}
}

// One transaction for everything that arrived in this turn; the answers go
// out only after it committed (or 503 when it failed: mintfax retries).
function flush() {
	const items = pending;
	pending = [];
	scheduled = false;
	try {
		batch(items);
		counts.commits++;
	} catch (e) {
		counts.failed += items.length;
		for (const it of items)
			answer(it.res, 503, { error: 'store_unavailable' });
		return;
	}
	for (const it of items) {
		if (it.fresh)
			counts.accepted++;
		else
			counts.duplicate++;
		answer(it.res, 204);
	}
}

const server = http.createServer((req, res) => {
	if (req.method !== 'POST') {
		answer(res, 405, { error: 'method_not_allowed' });
		return;
	}
	const chunks = [];
	let size = 0;
	req.on('data', (c) => {
		size += c.length;
		if (size > maxBody) {
			answer(res, 413, { error: 'too_large' });
			req.destroy();
			return;
		}
		chunks.push(c);
	});
	req.on('end', () => {
		if (res.writableEnded)
			return;
		const body = Buffer.concat(chunks).toString('utf8');
		let ev;
		try {
			wh.verify(body, req.headers);
		} catch (e) {
			counts.refused++;
			answer(res, 401, { error: 'signature' });
			return;
		}
		try {
			ev = JSON.parse(body);
		} catch (e) {
			counts.invalid++;
			answer(res, 400, { error: 'invalid_json' });
			return;
		}
		if (!ev || typeof ev.id !== 'string' || typeof ev.type !== 'string') {
			counts.invalid++;
			answer(res, 400, { error: 'missing_id_or_type' });
			return;
		}
		pending.push({ id: ev.id, type: ev.type, at: Date.now(), raw: body, res });
		if (!scheduled) {
			scheduled = true;
			setImmediate(flush);
		}
	});
});
server.keepAliveTimeout = 10000;

const [host, port] = [listen.slice(0, listen.lastIndexOf(':')),
	Number(listen.slice(listen.lastIndexOf(':') + 1))];
server.listen(port, host, () => {
	const a = server.address();
	if (readyFile) {
		fs.writeFileSync(readyFile + '.tmp', `${a.address}:${a.port}\n`);
		fs.renameSync(readyFile + '.tmp', readyFile);
	}
});

function stop() {
	if (pending.length)
		flush();
	console.error(`receiver-sqlite: ${JSON.stringify(counts)}`);
	server.close();
	db.close();
	process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
