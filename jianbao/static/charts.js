// The chart views, drawn by Plotly.js (served from the installed plotly package): trends of
// topics, companies and search terms; the topic x company heat map; submissions per company.
"use strict";

import { $, api, downloadText, go, nameOf, namesReady, table, terms } from "./lib.js";

const PALETTE = ["#b42318", "#1f6feb", "#0a6e3a", "#9a6700", "#8250df", "#bf3989", "#1b7c83", "#57606a",
  "#e16f24", "#4d2d00", "#0550ae", "#6e7781"];
const VISIBLE = 8;                          // more series than this start hidden (legend shows them)
const FONT = { family: 'system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' };
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
const COLUMNS = ["period", "label", "count", "articles", "share"];

let firstChart = true;

// plotly.min.js loads async (4.8 MB to parse): the first view fetches its data meanwhile
const plotlyReady = new Promise((resolve, reject) => {
  if (window.Plotly) return resolve(window.Plotly);
  const tag = document.getElementById("plotly-js");
  tag.addEventListener("load", () => resolve(window.Plotly));
  tag.addEventListener("error", () => reject(new Error("could not load /vendor/plotly.min.js")));
});

async function plot(node, traces, layout, filename) {
  const config = Object.assign({}, CONFIG, { toImageButtonOptions: { filename, format: "png", scale: 2 } });
  const Plotly = await plotlyReady;
  await Plotly.react(node, traces, Object.assign({ font: FONT, hovermode: "x unified" }, layout), config);
  node.dataset.series = String(traces.length);
  if (firstChart) {                               // read by python -m bench serve
    firstChart = false;
    performance.mark("first-chart");
  }
}

// ------------------------------------------------------------------ trends

function labelParams(s) {
  return { by: s.by, topic: s.topic, company: s.company, since: s.since, until: s.until,
    companies: s.kind === "company" ? "true" : "", mentions: s.kind === "mentions" ? "true" : "" };
}

/** Rows of every series of the view: the labels (unless kind=none), then one series per term. */
export async function trendRows(s) {
  const asks = s.kind === "none" ? [] : [api("/trends", labelParams(s)).then((d) => d.rows)];
  for (const term of terms(s.q)) {
    asks.push(api("/trends", { by: s.by, q: term, topic: s.topic, company: s.company, since: s.since,
      until: s.until }).then((d) => d.rows.map((r) => Object.assign(r, { term: true }))));
  }
  return (await Promise.all(asks)).flat();
}

function series(rows) {
  const out = new Map();
  for (const r of rows) {
    if (!out.has(r.label)) out.set(r.label, { label: r.label, term: !!r.term, rows: [], total: 0 });
    const one = out.get(r.label);
    one.rows.push(r);
    one.total += r.count;
  }
  return [...out.values()];
}

function trendTraces(all, s) {
  const hasTerms = all.some((one) => one.term);
  const ranked = all.filter((one) => !one.term).sort((a, b) => b.total - a.total);
  const shown = new Set(hasTerms ? [] : ranked.slice(0, VISIBLE).map((one) => one.label));
  const share = s.measure === "share";
  return all.map((one, i) => ({
    type: "scatter", mode: s.mode === "area" ? "lines" : "lines+markers",
    name: one.term ? `“${one.label}”` : nameOf(one.label),
    // a period with no article at all (no issue came out) is a gap, not a zero
    x: one.rows.map((r) => r.period), y: one.rows.map((r) => (!r.articles ? null : share ? r.share : r.count)),
    customdata: one.rows.map((r) => [r.count, r.articles, r.share]),
    hovertemplate: `%{customdata[0]} / %{customdata[1]} 篇 (%{customdata[2]:.1%})<extra>%{fullData.name}</extra>`,
    stackgroup: s.mode === "area" ? "one" : undefined,
    line: { color: PALETTE[i % PALETTE.length], width: one.term ? 3 : 2, dash: one.term ? "solid" : undefined },
    visible: one.term || shown.has(one.label) ? true : "legendonly",
    meta: one.label,
  }));
}

export async function renderTrends(s) {
  const [rows] = await Promise.all([trendRows(s), namesReady]);
  const all = series(rows);
  const what = { topic: "topic 主题", company: "company 企业", mentions: "company named 提及企业",
    none: "search term 检索词" }[s.kind] || s.kind;
  $("trends-title").textContent = `Articles per ${s.by} by ${what}` + (terms(s.q).length ? ` · ${terms(s.q).map((t) => `“${t}”`).join(" ")}` : "");
  const layout = {
    margin: { t: 20, r: 10, b: 60, l: 60 }, legend: { orientation: "v" },
    xaxis: { type: "category", title: { text: { month: "月份", quarter: "季度", year: "年份", issue: "期" }[s.by] } },
    yaxis: { title: { text: s.measure === "share" ? "占当期文章比例" : "文章篇数" }, rangemode: "tozero",
      tickformat: s.measure === "share" ? ".0%" : "d" },
  };
  await plot($("trends-chart"), trendTraces(all, s), layout, `jianbao-trends-${s.by}`);
  $("trends-chart").dataset.periods = String(new Set(rows.map((r) => r.period)).size);
  $("trends-csv").onclick = () => downloadText(toCsv(rows), `jianbao-trends-${s.by}.csv`);
  $("trends-png").onclick = async () => (await plotlyReady).downloadImage($("trends-chart"),
    { format: "png", filename: `jianbao-trends-${s.by}`, width: 1400, height: 600, scale: 2 });
}

/** The rows as `jianbao trends --format csv` prints them (period,label,count,articles,share). */
export function toCsv(rows) {
  const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

// ------------------------------------------------------------------ topic x company

export async function renderHeatmap(s) {
  const params = { by: "company", topic: s.topic, company: s.company, since: s.since, until: s.until };
  const [data] = await Promise.all([api("/trends", params), namesReady]);
  const node = $("heatmap-chart");
  $("heatmap-csv").href = "/trends?" + new URLSearchParams(Object.assign({}, params, { format: "csv" }));
  const rows = data.rows;
  const companies = rows.length ? Object.keys(rows[0]).filter((k) => k !== "topic") : [];
  const z = rows.map((r) => companies.map((c) => r[c]));
  const trace = {
    type: "heatmap", z, x: companies.map(nameOf), y: rows.map((r) => nameOf(r.topic)),
    customdata: rows.map((r) => companies.map((c) => [r.topic, c])),
    colorscale: [[0, "#fff5f0"], [0.25, "#fcbba1"], [0.6, "#ef3b2c"], [1, "#67000d"]],
    texttemplate: "%{z}", hovertemplate: "%{y} × %{x}: %{z} 篇<extra></extra>", xgap: 2, ygap: 2,
  };
  await plot(node, rows.length ? [trace] : [], { margin: { t: 10, r: 10, b: 110, l: 120 },
    hovermode: "closest", xaxis: { tickangle: -35, automargin: true },
    yaxis: { autorange: "reversed", automargin: true } }, "jianbao-topic-company");
  node.dataset.cells = String(z.flat().filter((n) => n > 0).length);
  node.removeAllListeners?.("plotly_click");
  node.on("plotly_click", (event) => {
    const [topic, company] = event.points[0].customdata;
    go({ view: "search", topic, company, q: "" });
  });
}

// ------------------------------------------------------------------ submissions

export async function renderSubmissions(s) {
  const by = s.by === "issue" ? "issue" : s.by;
  const params = { by, since: s.since, until: s.until };
  const [data] = await Promise.all([api("/submissions", params), namesReady]);
  $("submissions-csv").href = "/submissions?" + new URLSearchParams(Object.assign({}, params, { format: "csv" }));
  const byFirm = new Map();
  for (const r of data.rows) {
    const key = r.company || r.name;
    if (!byFirm.has(key)) byFirm.set(key, new Map());
    const cell = byFirm.get(key).get(r.period) || { submitted: 0, published: 0 };
    cell.submitted += r.submitted;
    cell.published += r.published;
    byFirm.get(key).set(r.period, cell);
  }
  const periods = [...new Set(data.rows.map((r) => r.period))].sort();
  const traces = [...byFirm.entries()].map(([firm, cells], i) => ({
    type: "scatter", mode: "lines+markers", name: nameOf(firm), x: periods,
    y: periods.map((p) => (cells.get(p) || {}).submitted || 0),
    customdata: periods.map((p) => (cells.get(p) || {}).published || 0),
    hovertemplate: "来稿 %{y} · 刊用 %{customdata}<extra>%{fullData.name}</extra>",
    line: { color: PALETTE[i % PALETTE.length] },
  }));
  await plot($("submissions-chart"), traces, { margin: { t: 10, r: 10, b: 50, l: 60 },
    xaxis: { type: "category" }, yaxis: { title: { text: "来稿数" }, rangemode: "tozero" } },
  "jianbao-submissions");
  $("submissions-table").replaceWith(Object.assign(table(["period 期间", "company 企业", "name 名称", "来稿数", "刊用数"],
    data.rows.map((r) => [r.period, r.company ? nameOf(r.company) : "", r.name, r.submitted, r.published])),
  { id: "submissions-table" }));
}
