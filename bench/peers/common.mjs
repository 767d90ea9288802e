// What every peer does per job, the same as Backchannel: sign the body with Standard Webhooks
// (HMAC-SHA256 over "id.timestamp.body", base64, "v1,<sig>") and POST it to the receiver over a
// keep-alive connection (Node's fetch pools connections per origin).
import { createHmac, randomBytes } from "node:crypto";
import { once } from "node:events";

export const receiverUrl = process.env.RECEIVER_URL;
export const clients = Number(process.env.CLIENTS ?? 64);
export const workers = Number(process.env.WORKERS ?? 64);
const secret = randomBytes(32);

export async function deliver(id, payload) {
  const body = JSON.stringify({ type: "bench.event", timestamp: new Date().toISOString(), data: payload });
  const ts = Math.floor(Date.now() / 1000).toString();
  const sig = createHmac("sha256", secret).update(`${id}.${ts}.${body}`).digest("base64");
  const started = process.hrtime.bigint();
  const res = await fetch(receiverUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": String(id),
      "webhook-timestamp": ts,
      "webhook-signature": `v1,${sig}`,
    },
    body,
  });
  await res.arrayBuffer();
  if (res.status < 200 || res.status > 299) {
    throw new Error(`receiver answered ${res.status}`);
  }
  return { status: res.status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

export function payload(i) {
  return { i, note: "an event of about a hundred bytes, like the peers' payload" };
}

/** n calls of fn(i), `concurrency` at once. */
export async function pool(n, concurrency, fn) {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) {
      await fn(i);
    }
  });
  await Promise.all(lanes);
}

/** Tells the load client what to time, then waits for it to close our stdin. */
export function start() {
  process.stdout.write("START\n");
}

export async function end(detail = "") {
  process.stdout.write(`END ${detail}\n`);
  process.stdin.resume();
  await once(process.stdin, "end");
}
