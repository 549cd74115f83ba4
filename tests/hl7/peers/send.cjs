// send.cjs - an independent MLLP peer for the tests: sends HL7 v2 messages with
// node-hl7-client (npm) to hemgang serve --mllp, one at a time (the next after
// the previous ACK), and prints one JSON line per ACK: {"msa1": "AA", "msa2":
// "<control id>"}. Bounded: it gives up after TIMEOUT_MS.
// Usage: node send.cjs PORT FILE   (messages separated by a line "---", segments by newlines)
"use strict";
const fs = require("fs");
const hl7 = require("node-hl7-client");
const Client = hl7.Client || hl7.default;
const { Message } = hl7;
const [port, file] = process.argv.slice(2);
const TIMEOUT_MS = 60000;
const texts = fs.readFileSync(file, "utf8").split(/\n---\n/).map((t) => t.trim()).filter((t) => t)
	.map((t) => t.split("\n").join("\r"));
const timer = setTimeout(() => { console.error("send.cjs: timed out"); process.exit(2); }, TIMEOUT_MS);
let next = 0;
const client = new Client({ host: "127.0.0.1", version: "2.5" });
const conn = client.createConnection({ port: Number(port) }, async (res) => {
	const m = res.getMessage();
	console.log(JSON.stringify({ msa1: m.get("MSA.1").toString(), msa2: m.get("MSA.2").toString() }));
	if (next < texts.length) {
		await conn.sendMessage(new Message({ text: texts[next++] }));
		return;
	}
	clearTimeout(timer);
	await conn.close();
	process.exit(0);
});
conn.on("connect", () => {
	if (next === 0 && texts.length) conn.sendMessage(new Message({ text: texts[next++] }));
});
conn.on("client.error", (e) => { console.error("send.cjs:", e && e.message ? e.message : e); process.exit(1); });
