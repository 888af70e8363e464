// The reference receiver for faxtop's ingest benchmark: what a mintfax
// customer would write with the library the docs recommend. It verifies the
// Standard Webhooks signature, parses the JSON, drops duplicate event ids
// (in memory, no durability) and answers 204.
//
//   node receiver.js --listen 127.0.0.1:0 --ready-file FILE
//   secret from MINTFAX_WEBHOOK_SECRET (never printed)
'use strict';

const { answer, serve } = require('./common');

const seen = new Set();
const counts = { accepted: 0, duplicate: 0, refused: 0, invalid: 0 };

serve({
	name: 'receiver',
	counts,
	onEvent(ev, body, res) {
		if (seen.has(ev.id)) {
			counts.duplicate++;
		} else {
			seen.add(ev.id);
			counts.accepted++;
		}
		answer(res, 204);
	},
});
