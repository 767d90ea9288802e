// graphile-worker (PostgreSQL): `enqueue N` adds N jobs with addJob, CLIENTS at once;
// `drain N` runs a worker (WORKERS concurrent jobs) whose task signs, POSTs and records the
// attempt in an attempts table, until N jobs completed.
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import pg from "pg";
import { clients, workers, deliver, payload, pool, start, end } from "./common.mjs";

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
// warnings and errors only: it logs every completed job otherwise
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(message);
});
const pgPool = new pg.Pool({ connectionString: process.env.PG_URL, max: Math.max(clients, workers) + 2 });

if (mode === "enqueue") {
  const utils = await makeWorkerUtils({ pgPool, logger });
  await utils.migrate();
  await pgPool.query(
    "CREATE TABLE IF NOT EXISTS attempts (id bigserial PRIMARY KEY, job_id text NOT NULL, status int NOT NULL, ms double precision NOT NULL, at timestamptz NOT NULL DEFAULT now())",
  );
  start();
  await pool(n, clients, (i) => utils.addJob("deliver", payload(i)));
  await end(`${n} jobs`);
  await utils.release();
} else {
  let done = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  start();
  const runner = await run({
    pgPool,
    logger,
    concurrency: workers,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: {
      deliver: async (data, helpers) => {
        const r = await deliver(helpers.job.id, data);
        await pgPool.query("INSERT INTO attempts (job_id, status, ms) VALUES ($1, $2, $3)", [
          helpers.job.id,
          r.status,
          r.ms,
        ]);
      },
    },
  });
  runner.events.on("job:complete", () => {
    if (++done === n) finish();
  });
  await finished;
  // graphile-worker deletes a job after its task resolved; wait until the table is empty.
  while ((await pgPool.query("SELECT count(*)::int AS c FROM graphile_worker.jobs")).rows[0].c > 0) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await end(`${done} jobs completed`);
  await runner.stop();
}
await pgPool.end();
