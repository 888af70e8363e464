// The reference receiver for faxtop's ingest benchmark: what a mintfax
// customer would write with the library the docs recommend. It verifies the
// Standard Webhooks signature, parses the JSON, drops duplicate event ids
// (in memory, no durability) and answers 204.
//
//   node receiver.js --listen 127.0.0.1:0 --ready-file FILE
//   secret from MINTFAX_WEBHOOK_SECRET (never printed)
'use strict';

const http = require('http');
const fs = require('fs');
const { Webhook } = require('standardwebhooks');

function arg(name, def) {
	const i = process.argv.indexOf(name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const secret = process.env.MINTFAX_WEBHOOK_SECRET;
if (!secret) {
	console.error('receiver: set MINTFAX_WEBHOOK_SECRET');
	process.exit(2);
}
const listen = arg('--listen', '127.0.0.1:0');
const readyFile = arg('--ready-file', null);
const maxBody = 1024 * 1024;
const wh = new Webhook(secret);
const seen = new Set();
const counts = { accepted: 0, duplicate: 0, refused: 0, invalid: 0 };

function answer(res, status, body) {
	if (body === undefined) {
		res.writeHead(status);
		res.end();
	} else {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
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
		if (!ev || typeof ev.id !== 'string') {
			counts.invalid++;
			answer(res, 400, { error: 'missing_id' });
			return;
		}
		if (seen.has(ev.id)) {
			counts.duplicate++;
		} else {
			seen.add(ev.id);
			counts.accepted++;
		}
		answer(res, 204);
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
	console.error(`receiver: ${JSON.stringify(counts)}`);
	server.close();
	process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
