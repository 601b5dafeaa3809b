// Charts for `| render ...`, drawn as SVG from the query API's answer (its table and its `render`
// object): timechart, linechart, areachart, scatterchart, barchart, columnchart, piechart, and the
// arrays of make-series. Hand-written: no chart library is shipped. Each drawn series carries
// data-series, data-points and (lines) data-values attributes (the tests read them).
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = ["#0b63c5", "#d1495b", "#00798c", "#edae49", "#66a182", "#8e6c8a", "#2e4057", "#ff7f50"];
  const NUMERIC = new Set(["int", "long", "real", "decimal", "double"]);
  const W = 860, H = 320, PAD = { l: 60, r: 16, t: 28, b: 40 };

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function parseArray(v) {
    if (Array.isArray(v)) return v;
    if (typeof v === "string" && v.startsWith("[")) {
      try { const a = JSON.parse(v); return Array.isArray(a) ? a : null; } catch (e) { return null; }
    }
    return null;
  }

  // [{name, points: [[x, y], ...]}] with x a number (ms for time) and whether x is time.
  function xySeries(table, render) {
    const cols = table.columns;
    const idx = (name) => cols.findIndex((c) => c.name === name);
    const yWanted = (render && render.yColumns) || null;
    let xi = render && render.xColumn ? idx(render.xColumn) : -1;
    const rows = table.rows;
    // make-series: one row per series, arrays in dynamic columns.
    const dyn = cols.map((c, i) => c.type === "dynamic" && rows.length > 0 && parseArray(rows[0][i]) !== null);
    if (dyn.some(Boolean)) {
      if (xi < 0) xi = cols.findIndex((c, i) => dyn[i] && (parseArray(rows[0][i]) || []).some((v) => typeof v === "string" && !isNaN(Date.parse(v))));
      if (xi < 0) return null;
      const yis = cols.map((c, i) => i).filter((i) => dyn[i] && i !== xi && (!yWanted || yWanted.includes(cols[i].name)));
      const labelIs = cols.map((c, i) => i).filter((i) => cols[i].type === "string");
      const out = [];
      for (const row of rows) {
        const xs = parseArray(row[xi]).map((v) => Date.parse(v));
        const label = labelIs.map((i) => row[i]).join(", ");
        for (const yi of yis) {
          const ys = parseArray(row[yi]) || [];
          const name = [label, yis.length > 1 || !label ? cols[yi].name : ""].filter(Boolean).join(":");
          out.push({ name, points: xs.map((x, k) => [x, Number(ys[k])]).filter((p) => isFinite(p[0]) && isFinite(p[1])) });
        }
      }
      return { series: out, time: true };
    }
    if (xi < 0) xi = cols.findIndex((c) => c.type === "datetime");
    if (xi < 0) xi = cols.findIndex((c) => NUMERIC.has(c.type));
    if (xi < 0) return null;
    const time = cols[xi].type === "datetime";
    const yis = cols.map((c, i) => i).filter((i) => i !== xi && NUMERIC.has(cols[i].type) && (!yWanted || yWanted.includes(cols[i].name)));
    const splitIs = cols.map((c, i) => i).filter((i) => i !== xi && (cols[i].type === "string" || cols[i].type === "bool"));
    const byName = new Map();
    for (const row of rows) {
      const x = time ? Date.parse(row[xi]) : Number(row[xi]);
      const split = splitIs.map((i) => String(row[i])).join(", ");
      for (const yi of yis) {
        const name = split ? (yis.length > 1 ? `${split}:${cols[yi].name}` : split) : cols[yi].name;
        if (!byName.has(name)) byName.set(name, []);
        const y = Number(row[yi]);
        if (isFinite(x) && row[yi] !== null && isFinite(y)) byName.get(name).push([x, y]);
      }
    }
    const series = [...byName.entries()].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
    return { series, time };
  }

  function frame(svg, title) {
    if (title) el("text", { x: PAD.l, y: 16, class: "title" }, svg).textContent = title;
  }

  function ticks(lo, hi, n) {
    if (lo === hi) { hi = lo + 1; }
    const out = [];
    for (let i = 0; i <= n; i++) out.push(lo + ((hi - lo) * i) / n);
    return out;
  }

  function fmtTime(ms, span) {
    const d = new Date(ms);
    const iso = d.toISOString();
    return span > 2 * 86400000 ? iso.slice(5, 10) : iso.slice(11, 16);
  }

  function fmtNum(v) {
    return Math.abs(v) >= 1e6 ? (v / 1e6).toFixed(1) + "M" : Math.abs(v) >= 1e3 ? (v / 1e3).toFixed(1) + "k" : String(Math.round(v * 100) / 100);
  }

  function lineChart(svg, data, kind) {
    const all = data.series.flatMap((s) => s.points);
    if (all.length === 0) return false;
    let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
    let [y0, y1] = [Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    if (y0 === y1) y1 = y0 + 1;
    const sx = (x) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
    const sy = (y) => H - PAD.b - ((y - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
    el("line", { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, stroke: "#999" }, svg);
    el("line", { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, stroke: "#999" }, svg);
    for (const t of ticks(y0, y1, 4)) {
      el("text", { x: PAD.l - 6, y: sy(t) + 4, "text-anchor": "end" }, svg).textContent = fmtNum(t);
      el("line", { x1: PAD.l, y1: sy(t), x2: W - PAD.r, y2: sy(t), stroke: "#eee" }, svg);
    }
    for (const t of ticks(x0, x1, 5)) {
      el("text", { x: sx(t), y: H - PAD.b + 16, "text-anchor": "middle" }, svg).textContent = data.time ? fmtTime(t, x1 - x0) : fmtNum(t);
    }
    data.series.forEach((s, i) => {
      const color = COLORS[i % COLORS.length];
      const g = el("g", { class: "series-group" }, svg);
      if (kind === "scatterchart") {
        for (const p of s.points) el("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 3, fill: color }, g);
        el("path", { class: "series", d: "", "data-series": s.name, "data-points": s.points.length, stroke: "none" }, g);
        return;
      }
      const d = s.points.map((p, k) => `${k ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
      if (kind === "areachart" && s.points.length) {
        const base = sy(Math.max(y0, 0));
        el("path", { d: `${d}L${sx(s.points[s.points.length - 1][0])},${base}L${sx(s.points[0][0])},${base}Z`, fill: color, "fill-opacity": 0.15, stroke: "none" }, g);
      }
      el("path", { class: "series", d, fill: "none", stroke: color, "stroke-width": 2, "data-series": s.name,
        "data-points": s.points.length, "data-values": JSON.stringify(s.points.map((p) => p[1])) }, g);
    });
    return true;
  }

  function categories(table, render) {
    const cols = table.columns;
    let ci = render && render.xColumn ? cols.findIndex((c) => c.name === render.xColumn) : -1;
    if (ci < 0) ci = cols.findIndex((c) => !NUMERIC.has(c.type));
    const yWanted = (render && render.yColumns) || null;
    const yis = cols.map((c, i) => i).filter((i) => i !== ci && NUMERIC.has(cols[i].type) && (!yWanted || yWanted.includes(cols[i].name)));
    if (yis.length === 0) return null;
    const labels = table.rows.map((r, k) => (ci >= 0 ? String(r[ci]) : String(k + 1)));
    return { labels, series: yis.map((yi) => ({ name: cols[yi].name, values: table.rows.map((r) => Number(r[yi]) || 0) })) };
  }

  function barChart(svg, data, horizontal) {
    const n = data.labels.length, m = data.series.length;
    if (n === 0) return false;
    const max = Math.max(1e-9, ...data.series.flatMap((s) => s.values));
    const left = horizontal ? 140 : PAD.l;
    const band = ((horizontal ? H - PAD.t - PAD.b : W - left - PAD.r) / n);
    const len = (v) => (v / max) * (horizontal ? W - left - PAD.r : H - PAD.t - PAD.b);
    data.series.forEach((s, j) => {
      const g = el("g", { class: "series", "data-series": s.name, "data-points": s.values.length }, svg);
      s.values.forEach((v, k) => {
        const off = k * band + (band * 0.1) + (j * band * 0.8) / m;
        const thick = (band * 0.8) / m;
        const a = horizontal
          ? { x: left, y: PAD.t + off, width: len(v), height: thick }
          : { x: left + off, y: H - PAD.b - len(v), width: thick, height: len(v) };
        el("rect", { ...a, class: "bar", fill: COLORS[j % COLORS.length], "data-category": data.labels[k], "data-value": v }, g);
      });
    });
    data.labels.forEach((label, k) => {
      const at = k * band + band / 2;
      const t = horizontal
        ? el("text", { x: left - 6, y: PAD.t + at + 4, "text-anchor": "end" }, svg)
        : el("text", { x: left + at, y: H - PAD.b + 16, "text-anchor": "middle" }, svg);
      t.textContent = label.length > 20 ? label.slice(0, 19) + "…" : label;
    });
    return true;
  }

  function pieChart(svg, data) {
    const s = data.series[0];
    const total = s.values.reduce((a, b) => a + Math.max(0, b), 0);
    if (!total) return false;
    const cx = W / 2, cy = (H + PAD.t) / 2, r = (H - PAD.t - 20) / 2;
    let a0 = -Math.PI / 2;
    const g = el("g", { class: "series", "data-series": s.name, "data-points": s.values.length }, svg);
    s.values.forEach((v, k) => {
      const a1 = a0 + (Math.max(0, v) / total) * 2 * Math.PI;
      const large = a1 - a0 > Math.PI ? 1 : 0;
      const p = (a) => `${(cx + r * Math.cos(a)).toFixed(1)},${(cy + r * Math.sin(a)).toFixed(1)}`;
      const d = a1 - a0 >= 2 * Math.PI - 1e-9
        ? `M${cx - r},${cy}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`
        : `M${cx},${cy}L${p(a0)}A${r},${r} 0 ${large},1 ${p(a1)}Z`;
      el("path", { d, class: "slice", fill: COLORS[k % COLORS.length], "data-category": data.labels[k], "data-value": v }, g);
      a0 = a1;
    });
    return true;
  }

  function legend(names) {
    const div = document.createElement("div");
    div.className = "legend";
    names.forEach((name, i) => {
      const span = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.style.background = COLORS[i % COLORS.length];
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(name));
      div.appendChild(span);
    });
    return div;
  }

  // Draw `table` as `render` asks into `container`; false when there is nothing to draw.
  function draw(container, table, render) {
    container.replaceChildren();
    const kind = (render.visualization || "").toLowerCase();
    const svg = el("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, width: W, height: H, "data-visualization": kind, role: "img" });
    frame(svg, render.title);
    let ok = false, names = [];
    if (["timechart", "linechart", "areachart", "scatterchart", "anomalychart"].includes(kind)) {
      const data = xySeries(table, render);
      if (data) { ok = lineChart(svg, data, kind); names = data.series.map((s) => s.name); }
    } else if (["barchart", "columnchart", "piechart"].includes(kind)) {
      const data = categories(table, render);
      if (data) {
        ok = kind === "piechart" ? pieChart(svg, data) : barChart(svg, data, kind === "barchart");
        names = kind === "piechart" ? data.labels : data.series.map((s) => s.name);
      }
    }
    if (!ok) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = `Nothing to draw as ${kind || "a chart"}: the result has no suitable columns.`;
      container.appendChild(p);
      return false;
    }
    container.appendChild(svg);
    container.appendChild(legend(names));
    return true;
  }

  window.Charts = { draw, xySeries };
})();
