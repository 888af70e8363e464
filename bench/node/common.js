// What both benchmark receivers share: the arguments, the HTTP server, the
// body limit, the Standard Webhooks check (with the library the mintfax docs
// recommend), the JSON parse, the ready file and the counts printed at exit.
// Each receiver says only what it does with a verified event.
'use strict';

const http = require('http');
const fs = require('fs');
const { Webhook } = require('standardwebhooks');

const maxBody = 1024 * 1024;

function arg(name, def) {
	const i = process.argv.indexOf(name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

function answer(res, status, body) {
	if (body === undefined) {
		res.writeHead(status);
		res.end();
	} else {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}
}

// serve({ name, counts, onEvent(ev, body, res), onStop() }): onEvent gets
// every signed event with a string id and type, and answers res itself.
function serve(opts) {
	const secret = process.env.MINTFAX_WEBHOOK_SECRET;
	if (!secret) {
		console.error(`${opts.name}: set MINTFAX_WEBHOOK_SECRET`);
		process.exit(2);
	}
	const listen = arg('--listen', '127.0.0.1:0');
	const readyFile = arg('--ready-file', null);
	const wh = new Webhook(secret);
	const counts = opts.counts;

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
			opts.onEvent(ev, body, res);
		});
	});
	server.keepAliveTimeout = 10000;

	const cut = listen.lastIndexOf(':');
	server.listen(Number(listen.slice(cut + 1)), listen.slice(0, cut), () => {
		const a = server.address();
		if (readyFile) {
			fs.writeFileSync(readyFile + '.tmp', `${a.address}:${a.port}\n`);
			fs.renameSync(readyFile + '.tmp', readyFile);
		}
	});

	function stop() {
		if (opts.onStop)
			opts.onStop();
		console.error(`${opts.name}: ${JSON.stringify(counts)}`);
		server.close();
		process.exit(0);
	}
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

module.exports = { arg, answer, serve };
