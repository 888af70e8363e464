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

const Database = require('better-sqlite3');
const { arg, answer, serve } = require('./common');

const dbPath = arg('--db', 'events.db');
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

serve({
	name: 'receiver-sqlite',
	counts,
	onEvent(ev, body, res) {
		pending.push({ id: ev.id, type: ev.type, at: Date.now(), raw: body, res });
		if (!scheduled) {
			scheduled = true;
			setImmediate(flush);
		}
	},
	onStop() {
		if (pending.length)
			flush();
		db.close();
	},
});
