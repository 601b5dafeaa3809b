// The JavaScript query clients, unchanged, against the azlogs emulator.
//
// node query.mjs CLIENT EMULATOR_JSON TABLE
//   CLIENT: "monitor-query" (@azure/monitor-query 1.x, the API at the origin: /v1/...) or
//           "monitor-query-logs" (@azure/monitor-query-logs, given the emulator's endpoint + /v1).
// Authenticates as the emulator's admin service principal (ClientSecretCredential against the
// emulator's Entra authority); trusts the emulator's CA through NODE_EXTRA_CA_CERTS.
// Prints one JSON object: what each call answered (a workspace query with statistics and
// visualization, a batch, a partial result, a resource query, an error).

import { readFileSync } from "node:fs";
import { ClientSecretCredential } from "@azure/identity";

const [clientName, infoPath, table] = process.argv.slice(2);
const info = JSON.parse(readFileSync(infoPath, "utf8"));
const credential = new ClientSecretCredential(info.tenant_id, info.admin.client_id, info.admin.client_secret, {
  authorityHost: info.endpoints.authority,
  disableInstanceDiscovery: true,
});
const origin = new URL(info.endpoints.query).origin;

let client, timeoutClient;
const noRetries = { retryOptions: { maxRetries: 0 } };
if (clientName === "monitor-query") {
  const { LogsQueryClient } = await import("@azure/monitor-query");
  client = new LogsQueryClient(credential, { endpoint: origin });
  timeoutClient = new LogsQueryClient(credential, { endpoint: origin, ...noRetries });
} else if (clientName === "monitor-query-logs") {
  const { LogsQueryClient } = await import("@azure/monitor-query-logs");
  client = new LogsQueryClient(credential, { endpoint: `${info.endpoints.query}/v1` });
  timeoutClient = new LogsQueryClient(credential, { endpoint: `${info.endpoints.query}/v1`, ...noRetries });
} else {
  throw new Error(`unknown client ${clientName}`);
}

const workspace = info.workspace.id;
const day = { duration: "P1D" };
const rowsOf = (tables) => tables.map((t) => ({ name: t.name, columns: t.columnDescriptors, rows: t.rows }));

async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { thrown: true, name: e.name, statusCode: e.statusCode, code: e.code, message: String(e.message) };
  }
}

const out = {};

out.workspace = await attempt(async () => {
  const r = await client.queryWorkspace(
    workspace,
    `${table} | summarize n = count() by Computer | sort by Computer asc | render barchart with (title="by vm")`,
    day,
    { includeQueryStatistics: true, includeVisualization: true },
  );
  return { status: r.status, tables: rowsOf(r.tables), statistics: r.statistics, visualization: r.visualization };
});

out.batch = await attempt(async () => {
  const r = await client.queryBatch([
    { workspaceId: workspace, query: `${table} | count`, timespan: day, includeQueryStatistics: true },
    { workspaceId: workspace, query: "print x = 'two'", timespan: day },
  ]);
  return r.map((x) => ({ status: x.status, tables: rowsOf(x.tables ?? x.partialTables ?? []), statistics: x.statistics }));
});

out.partial = await attempt(async () => {
  const r = await client.queryWorkspace(workspace, `set truncationmaxrecords=1; ${table} | take 5`, day);
  return { status: r.status, tables: rowsOf(r.partialTables ?? r.tables ?? []), error: r.partialError };
});

out.resource = await attempt(async () => {
  const r = await client.queryResource(info.workspace.resource_id, `${table} | count`, day);
  return { status: r.status, tables: rowsOf(r.tables) };
});

out.error = await attempt(async () => client.queryWorkspace(workspace, "print x = ", day));

// A server timeout: Prefer wait=2 on a query that would run for hours (no retries of the 504).
out.timeout = await attempt(async () =>
  timeoutClient.queryWorkspace(workspace, "range x from 1 to 10000000000 step 1 | count", day, {
    serverTimeoutInSeconds: 2,
  }),
);

console.log(JSON.stringify(out));
