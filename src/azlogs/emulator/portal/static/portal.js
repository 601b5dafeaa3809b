// The portal's pages: Overview, Logs, Dropped, Request log. Everything comes from /portal/api/
// (same origin, the session cookie); nothing is fetched from anywhere else.
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const PAGE_SIZE = 50;
  let timer = null;

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  async function api(path, options) {
    const r = await fetch(`/portal/api/${path}`, { credentials: "same-origin", ...options });
    if (r.status === 401) { location.href = "/portal/signin"; throw new Error("signed out"); }
    const body = await r.json();
    if (!r.ok) {
      const err = body.error || {};
      const inner = err.innererror ? ` (${err.innererror.message || err.innererror.code || ""})` : "";
      throw new Error(`${err.code || r.status}: ${err.message || ""}${inner}`);
    }
    return body;
  }

  function grid(columns, rows) {
    return h("table", {},
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v) => h("td", {}, v))))));
  }

  function when(ts) { return new Date(ts * 1000).toISOString().replace("T", " ").slice(0, 19); }

  // --- Overview ------------------------------------------------------------------------------------

  function spark(series) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "180"); svg.setAttribute("height", "30"); svg.setAttribute("class", "spark");
    const max = Math.max(1, ...series.map((s) => s.records));
    const step = 180 / Math.max(1, series.length - 1);
    const d = series.map((s, i) => `${i ? "L" : "M"}${(i * step).toFixed(1)},${(28 - (s.records / max) * 26).toFixed(1)}`).join("");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d); path.setAttribute("fill", "none"); path.setAttribute("stroke", "#0b63c5");
    svg.appendChild(path);
    return svg;
  }

  async function overview() {
    const root = $("#page-overview");
    const o = await api("overview");
    const dcrs = o.dcrs.map((d) => {
      const t = d.ingestion.totals;
      return h("div", { class: "card dcr", "data-dcr": d.name },
        h("h3", {}, d.name, " ", h("span", { class: "muted mono" }, d.immutableId)),
        h("div", { class: "muted mono" }, d.id),
        d.logsIngestion ? h("div", {}, "logsIngestion: ", h("code", {}, d.logsIngestion)) : null,
        d.dataCollectionEndpointId ? h("div", {}, "DCE: ", h("code", {}, d.dataCollectionEndpointId)) : null,
        h("h4", {}, "Streams"),
        Object.entries(d.streams).map(([name, cols]) => h("div", {}, h("code", {}, name), ": ",
          cols.map((c) => `${c.name}:${c.type}`).join(", "))),
        h("h4", {}, "Data flows"),
        d.dataFlows.map((f) => h("div", { class: "flow" },
          h("code", {}, f.streams.join(", ")), " → ", h("code", {}, f.outputStream || "(the stream's table)"),
          f.transformKql ? h("pre", { class: "transform" }, f.transformKql) : null)),
        h("h4", {}, "Role assignments"),
        d.roleAssignments.length ? grid(["principal", "role", "scope"], d.roleAssignments.map((a) => [a.principalId, a.role, a.scope]))
          : h("p", { class: "muted" }, "none on this DCR (or below it)"),
        h("h4", {}, `Ingestion, last ${d.ingestion.minutes} minutes`),
        h("div", { class: "ingestion" },
          grid(["requests", "records", "bytes", "4xx", "5xx", "throttled"],
            [[t.requests, t.records, t.bytes, t["4xx"], t["5xx"], t.throttled]]),
          spark(d.ingestion.series)));
    });
    root.replaceChildren(
      h("h2", {}, "Workspace"),
      h("p", {}, h("b", {}, o.workspace.name), " ", h("code", {}, o.workspace.id), h("br"), h("span", { class: "muted mono" }, o.workspace.resourceId)),
      h("h2", {}, "Identities"),
      grid(["name", "kind", "host", "principal id", "client id", "roles"],
        o.identities.map((i) => [i.name, i.kind, i.host, i.principalId, i.clientId,
          i.roles.map((r) => `${r.role} on ${r.scope}`).join("; ") || "—"])),
      h("h2", {}, `Data collection rules (${o.dcrs.length})`),
      h("div", { id: "dcrs" }, dcrs.length ? dcrs : h("p", { class: "muted" }, "No DCR yet: `azlogs provision` creates one.")),
      h("h2", {}, `Data collection endpoints (${o.dces.length})`),
      o.dces.length ? grid(["name", "logs ingestion", "id"], o.dces.map((d) => [d.name, d.logsIngestion || "", d.id])) : h("p", { class: "muted" }, "none"),
      h("h2", {}, `Tables (${o.tables.length})`),
      grid(["table", "rows", "columns"], o.tables.map((t) => [t.name, t.rows, t.columns.map((c) => `${c.name}:${c.type}`).join(", ")])),
      h("p", { class: "muted" }, `Refreshed ${when(o.time)} UTC, every 5 s while this page is open.`));
  }

  // --- Logs ------------------------------------------------------------------------------------------

  const logs = { result: null, page: 0, completion: null };

  function syncHighlight() {
    const ta = $("#kql");
    $("#kql-highlight").innerHTML = window.Kql.highlight(ta.value);
    $("#kql-highlight").scrollTop = ta.scrollTop;
  }

  function closeCompletion() { logs.completion = null; $("#kql-complete").hidden = true; }

  function showCompletion() {
    const ta = $("#kql");
    const c = window.Kql.complete(ta.value, ta.selectionStart);
    const list = $("#kql-complete");
    if (!c.items.length) { closeCompletion(); return; }
    logs.completion = { ...c, sel: 0 };
    list.replaceChildren(...c.items.map((it, i) => h("li", {
      class: i === 0 ? "sel" : "", "data-label": it.label,
      onmousedown: (ev) => { ev.preventDefault(); logs.completion.sel = i; accept(); },
    }, it.label, h("span", { class: "type" }, it.detail))));
    // Place it under the caret's line (approximately: line count times line height).
    const lines = ta.value.slice(0, ta.selectionStart).split("\n").length;
    list.style.top = `${Math.min(lines * 18 + 8, ta.clientHeight)}px`;
    list.style.left = "8px";
    list.hidden = false;
  }

  function accept() {
    const c = logs.completion;
    if (!c) return;
    const ta = $("#kql");
    const label = c.items[c.sel].label;
    const end = ta.selectionStart;
    ta.value = ta.value.slice(0, c.start) + label + ta.value.slice(end);
    ta.selectionStart = ta.selectionEnd = c.start + label.length;
    closeCompletion();
    syncHighlight();
  }

  function onKey(ev) {
    const c = logs.completion;
    if ((ev.key === "Enter" && (ev.shiftKey || ev.ctrlKey || ev.metaKey))) { ev.preventDefault(); closeCompletion(); run(); return; }
    if (!c) { if (ev.key === " " && ev.ctrlKey) { ev.preventDefault(); showCompletion(); } return; }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      c.sel = (c.sel + (ev.key === "ArrowDown" ? 1 : c.items.length - 1)) % c.items.length;
      [...$("#kql-complete").children].forEach((li, i) => li.classList.toggle("sel", i === c.sel));
    } else if (ev.key === "Tab" || ev.key === "Enter") { ev.preventDefault(); accept(); }
    else if (ev.key === "Escape") { ev.preventDefault(); closeCompletion(); }
  }

  function showPage() {
    const r = logs.result;
    const t = r.tables[0];
    const pages = Math.max(1, Math.ceil(t.rows.length / PAGE_SIZE));
    logs.page = Math.min(Math.max(0, logs.page), pages - 1);
    const rows = t.rows.slice(logs.page * PAGE_SIZE, (logs.page + 1) * PAGE_SIZE);
    const cell = (v) => (v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
    $("#results").replaceChildren(h("table", { class: "results" },
      h("thead", {}, h("tr", {}, t.columns.map((c) => h("th", { "data-type": c.type, "data-name": c.name }, c.name, h("span", { class: "type" }, c.type))))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((v) => h("td", {}, cell(v))))))));
    $("#pager").replaceChildren(
      h("button", { type: "button", id: "prev", onclick: () => { logs.page--; showPage(); }, ...(logs.page === 0 ? { disabled: "" } : {}) }, "‹ Previous"),
      h("button", { type: "button", id: "next", onclick: () => { logs.page++; showPage(); }, ...(logs.page >= pages - 1 ? { disabled: "" } : {}) }, "Next ›"),
      h("span", { id: "page-info" }, `page ${logs.page + 1} of ${pages} · ${t.rows.length} rows`));
  }

  async function run() {
    const query = $("#kql").value;
    const status = $("#query-status");
    if (!query.trim()) return;
    status.textContent = "Running…";
    status.className = "";
    $("#chart").replaceChildren();
    $("#results").replaceChildren();
    $("#pager").replaceChildren();
    $("#export-csv").disabled = $("#export-json").disabled = true;
    try {
      const timespan = $("#timespan").value || undefined;
      const r = await api("query", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, timespan }) });
      logs.result = r;
      logs.page = 0;
      const t = r.tables[0];
      const took = r.statistics && r.statistics.query ? ` in ${(r.statistics.query.executionTime * 1000).toFixed(1)} ms` : "";
      status.textContent = `${t.rows.length} rows${took}` + (r.error ? ` · partial: ${r.error.message}` : "");
      if (r.render) window.Charts.draw($("#chart"), t, r.render);
      showPage();
      $("#export-csv").disabled = $("#export-json").disabled = false;
    } catch (e) {
      status.textContent = e.message;
      status.className = "bad";
    }
  }

  function download(name, type, text) {
    const a = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function csv(t) {
    const q = (v) => { const s = v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v); return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
    return [t.columns.map((c) => q(c.name)).join(","), ...t.rows.map((r) => r.map(q).join(","))].join("\r\n") + "\r\n";
  }

  function asObjects(t) { return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]]))); }

  let logsReady = false;
  async function logsPage() {
    if (logsReady) return;
    logsReady = true;
    const ta = $("#kql");
    if (!ta.value) ta.value = sessionStorage.getItem("kql") || "";
    ta.addEventListener("input", () => { sessionStorage.setItem("kql", ta.value); syncHighlight(); showCompletion(); });
    ta.addEventListener("scroll", syncHighlight);
    ta.addEventListener("keydown", onKey);
    ta.addEventListener("blur", () => setTimeout(closeCompletion, 150));
    $("#run").addEventListener("click", run);
    $("#export-csv").addEventListener("click", () => download("query.csv", "text/csv", csv(logs.result.tables[0])));
    $("#export-json").addEventListener("click", () => download("query.json", "application/json", JSON.stringify(asObjects(logs.result.tables[0]), null, 2)));
    syncHighlight();
    try { window.Kql.setSchema(await api("schema")); syncHighlight(); } catch (e) { /* completion without schema */ }
  }

  // --- Dropped -----------------------------------------------------------------------------------------

  async function dropped() {
    const root = $("#page-dropped");
    const d = await api("dropped");
    const intro = h("p", { class: "muted" }, "What ingestion refused or changed without telling the sender (Azure answers 204 and says nothing), ",
      "grouped by DCR and reason. Where a DCR's diagnostic settings send LogErrors, the same errors land in the ",
      h("a", { href: "#logs", onclick: () => { $("#kql").value = "DCRLogErrors\n| take 100"; sessionStorage.setItem("kql", $("#kql").value); } }, "DCRLogErrors"),
      " table.");
    if (!d.dcrs.length) { root.replaceChildren(h("h2", {}, "Dropped"), intro, h("p", { id: "dropped-none" }, "Nothing dropped, refused or changed so far.")); return; }
    root.replaceChildren(h("h2", {}, "Dropped"), intro, h("div", {}, d.dcrs.map((dcr) => h("div", { class: "card", "data-dcr": dcr.name || dcr.immutableId },
      h("h3", {}, dcr.name || "(unknown DCR)", " ", h("span", { class: "muted mono" }, dcr.immutableId)),
      h("table", { class: "dropped" },
        h("thead", {}, h("tr", {}, ["what", "column", "table", "records", "requests", "last seen", "reason", "sample", "fix"].map((c) => h("th", {}, c)))),
        h("tbody", {}, dcr.reasons.map((g) => h("tr", { "data-kind": g.kind, "data-column": g.column },
          h("td", { class: "mono" }, g.kind), h("td", {}, g.column), h("td", {}, g.table), h("td", {}, g.records), h("td", {}, g.requests),
          h("td", {}, g.last), h("td", { class: "reason" }, g.reason), h("td", {}, h("code", {}, g.sample)), h("td", { class: "fix" }, g.fix)))))))));
  }

  // --- Request log -------------------------------------------------------------------------------------

  const reqs = { entries: [], last: 0 };
  async function requestLog() {
    const root = $("#page-requests");
    const fresh = (await api(`requests?after=${reqs.last}&limit=500`)).value;
    if (fresh.length) reqs.last = fresh[0].seq;
    reqs.entries = fresh.concat(reqs.entries).slice(0, 500);
    let filter = root.querySelector("#req-filter");
    if (!filter) {
      filter = h("input", { id: "req-filter", placeholder: "filter: path, status, client request id", size: 40, oninput: () => draw() });
      root.replaceChildren(h("h2", {}, "Request log"), h("p", { class: "muted" }, "The newest requests to the emulator (the portal's own left out). Never a header, a body or a secret query value."), filter, h("div", { id: "req-table" }));
    }
    function draw() {
      const f = filter.value.toLowerCase();
      const rows = reqs.entries.filter((e) => !f || `${e.path} ${e.status} ${e.client_request_id} ${e.method} ${e.endpoint}`.toLowerCase().includes(f));
      root.querySelector("#req-table").replaceChildren(grid(["time (UTC)", "listener", "endpoint", "method", "path", "query", "status", "ms", "client request id"],
        rows.map((e) => [when(e.ts), e.listener, e.endpoint, e.method, e.path, e.query, e.status, e.ms, e.client_request_id])));
    }
    draw();
  }

  // --- routing -----------------------------------------------------------------------------------------

  const PAGES = { overview: [overview, 5000], logs: [logsPage, 0], dropped: [dropped, 5000], requests: [requestLog, 3000] };

  async function route() {
    const name = (location.hash || "#overview").slice(1);
    const [load, every] = PAGES[name] || PAGES.overview;
    document.querySelectorAll(".page").forEach((p) => { p.hidden = p.id !== `page-${name}`; });
    document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === name));
    clearInterval(timer);
    const tick = async () => {
      try { await load(); document.body.dataset.loaded = name; } catch (e) { if (e.message !== "signed out") console.error(e); }
    };
    await tick();
    if (every) timer = setInterval(() => { if (!document.hidden) tick(); }, every);
  }

  window.addEventListener("hashchange", route);
  route();
})();
