// BullMQ (Redis, AOF every second): `enqueue N` adds N jobs with Queue.add, CLIENTS at once;
// `drain N` runs a Worker (WORKERS concurrent jobs) whose processor signs and POSTs; the attempt
// is recorded as the job's return value, kept in Redis with the completed job.
import { Queue, Worker } from "bullmq";
import IORedis from "ioredis";
import { clients, workers, deliver, payload, pool, start, end } from "./common.mjs";

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
// BullMQ in an ES module takes a client it did not make; workers need maxRetriesPerRequest null
const connection = new IORedis({
  host: "127.0.0.1",
  port: Number(process.env.REDIS_PORT),
  maxRetriesPerRequest: null,
});

if (mode === "enqueue") {
  const queue = new Queue("deliver", { connection });
  await queue.obliterate({ force: true });
  await queue.waitUntilReady();
  start();
  await pool(n, clients, (i) => queue.add("deliver", payload(i)));
  await end(`${n} jobs`);
  await queue.close();
} else {
  let done = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const worker = new Worker("deliver", (job) => deliver(job.id, job.data), {
    connection,
    concurrency: workers,
    autorun: false,
  });
  worker.on("completed", () => {
    if (++done === n) finish();
  });
  await worker.waitUntilReady();
  start();
  worker.run();
  await finished;
  await end(`${done} jobs completed`);
  await worker.close();
}
connection.disconnect();
