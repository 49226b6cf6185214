// jianbao dashboard: trends chart (inline SVG drawn here), filters, search, article list and
// view, tag corrections for a curator with the token. No framework, no build, no network
// beyond this server. Every value from the corpus goes into the page as text, never as HTML.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#b42318", "#1f6feb", "#0a6e3a", "#9a6700", "#8250df", "#bf3989", "#1b7c83", "#57606a"];
const MAX_SERIES = 8;
const TOKEN_KEY = "jianbao-token";

const state = { offset: 0, limit: 20, total: 0, selected: null, names: {}, taxonomy: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = String(text);
  return node;
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

async function api(path, params = {}, options = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined) query.set(key, value);
  }
  const url = path + (query.toString() ? "?" + query : "");
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (options.write && token()) headers.Authorization = "Bearer " + token();
  const response = await fetch(url, Object.assign({}, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok) {
    const detail = body && body.detail;
    const text = typeof detail === "string" ? detail
      : Array.isArray(detail) ? detail.map((d) => (d.loc || []).slice(-1) + ": " + d.msg).join("; ")
      : response.statusText;
    throw new Error(`${response.status}: ${text}`);
  }
  return body;
}

function filters() {
  return {
    topic: $("topic").value, company: $("company").value,
    since: $("since").value.trim(), until: $("until").value.trim(), q: $("q").value.trim(),
  };
}

function name(key) { return state.names[key] || key; }

// ------------------------------------------------------------------ taxonomy and summary

async function loadTaxonomy() {
  const tax = await api("/taxonomy");
  state.taxonomy = tax;
  for (const [kind, select] of [["topics", $("topic")], ["companies", $("company")]]) {
    for (const item of tax[kind]) {
      state.names[item.key] = item.name;
      select.append(el("option", { value: item.key }, `${item.name} (${item.key})`));
    }
  }
}

async function loadSummary() {
  const s = await api("/stats");
  const range = s.first_date ? `${s.first_date} – ${s.last_date}` : "no dated issues";
  $("summary").textContent = `${s.issues} issues · ${s.articles} articles · ${s.pages} pages · ${range}`;
}

// ------------------------------------------------------------------ chart

async function loadChart() {
  const f = filters();
  const kind = $("kind").value;
  const by = $("by").value;
  const data = await api("/trends", {
    by, topic: f.topic, company: f.company, since: f.since, until: f.until,
    companies: kind === "company" ? "true" : "",
  });
  drawChart(data.rows, by, data.kind);
}

function niceMax(value) {
  if (value <= 5) return Math.max(value, 1);
  const step = Math.pow(10, Math.floor(Math.log10(value)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

function drawChart(rows, by, kind) {
  const box = $("chart");
  const legend = $("legend");
  box.replaceChildren();
  legend.replaceChildren();
  const periods = [...new Set(rows.map((r) => r.period))];
  const totals = new Map();
  for (const r of rows) totals.set(r.label, (totals.get(r.label) || 0) + r.count);
  const labels = [...totals.entries()].filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_SERIES).map(([l]) => l);

  const W = 960, H = 280, L = 44, R = 28, T = 12, B = 40;
  const chart = svg("svg", {
    id: "trend-chart", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": `articles per ${by} by ${kind}`, "data-series": labels.length, "data-periods": periods.length,
  });
  chart.append(svg("title", {}, `Articles per ${by} for each ${kind}`));
  box.append(chart);
  if (!periods.length || !labels.length) {
    chart.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "tick" },
      "no tagged, dated articles for these filters"));
    return;
  }
  const ymax = niceMax(Math.max(...rows.filter((r) => labels.includes(r.label)).map((r) => r.count)));
  const x = (i) => L + (periods.length === 1 ? (W - L - R) / 2 : i * (W - L - R) / (periods.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / ymax);

  const axes = svg("g", { class: "axes" });
  axes.append(svg("line", { class: "axis", x1: L, y1: y(0), x2: W - R, y2: y(0) }));
  for (const v of [0, ymax / 2, ymax]) {
    axes.append(svg("line", { class: "axis", x1: L, y1: y(v), x2: W - R, y2: y(v), "stroke-dasharray": "2 4" }));
    axes.append(svg("text", { class: "tick", x: L - 6, y: y(v) + 4, "text-anchor": "end" },
      Number.isInteger(v) ? v : v.toFixed(1)));
  }
  const every = Math.ceil(periods.length / 12);
  periods.forEach((p, i) => {
    if (i % every === 0 || i === periods.length - 1) {
      axes.append(svg("text", { class: "tick", x: x(i), y: H - B + 18, "text-anchor": "middle" }, p));
    }
  });
  chart.append(axes);

  const index = new Map(periods.map((p, i) => [p, i]));
  labels.forEach((label, n) => {
    const color = PALETTE[n % PALETTE.length];
    const points = rows.filter((r) => r.label === label).sort((a, b) => index.get(a.period) - index.get(b.period));
    const group = svg("g", { class: "series-group", "data-label": label });
    group.append(svg("polyline", {
      class: "series", stroke: color, "data-label": label,
      points: points.map((r) => `${x(index.get(r.period)).toFixed(1)},${y(r.count).toFixed(1)}`).join(" "),
    }));
    if (periods.length <= 60) {
      for (const r of points) {
        const dot = svg("circle", { cx: x(index.get(r.period)).toFixed(1), cy: y(r.count).toFixed(1), r: 3, fill: color });
        dot.append(svg("title", {}, `${name(label)} ${r.period}: ${r.count} of ${r.articles} articles`));
        group.append(dot);
      }
    }
    chart.append(group);
    legend.append(el("li", {
      "data-label": label, title: "filter by " + label,
      onclick: () => {
        $(kind === "company" ? "company" : "topic").value = label;
        apply();
      },
    }, el("span", { class: "swatch" }), `${name(label)} (${totals.get(label)})`));
    legend.lastChild.firstChild.style.background = color;
  });
}

// ------------------------------------------------------------------ article list

function tagChips(record, removable) {
  const chips = el("span", { class: "tags" });
  for (const [kind, tags] of [["topic", record.topics], ["company", record.companies]]) {
    for (const t of tags) {
      const score = t.score === null || t.score === undefined ? "" : ` ${Number(t.score).toFixed(2)}`;
      const chip = el("span", {
        class: `tag ${kind}${t.source === "human" ? " human" : ""}`, "data-label": t.label,
        title: `${kind} ${t.label} (${t.source}${score})`,
      }, name(t.label) + (t.source === "human" ? " ✓" : ""));
      if (removable) {
        chip.append(el("button", {
          type: "button", title: `remove ${kind} ${t.label}`, "aria-label": `remove ${t.label}`,
          onclick: (e) => { e.stopPropagation(); changeLabel(record.article_id, kind, "-" + t.label); },
        }, "×"));
      }
      chips.append(chip);
    }
  }
  return chips;
}

async function loadArticles() {
  const f = filters();
  const data = await api("/articles", Object.assign({}, f, { limit: state.limit, offset: state.offset }));
  state.total = data.total;
  const list = $("articles");
  list.replaceChildren();
  for (const r of data.items) {
    list.append(el("li", {
      "data-article-id": r.article_id, tabindex: 0,
      class: r.article_id === state.selected ? "selected" : null,
      onclick: () => showArticle(r.article_id),
      onkeydown: (e) => { if (e.key === "Enter") showArticle(r.article_id); },
    },
    el("div", { class: "title" }, r.title),
    el("div", { class: "meta" }, `${r.issue.date || "undated"} · ${r.article_id}`),
    tagChips(r, false)));
  }
  if (!data.items.length) list.append(el("li", { class: "muted" }, "No article matches these filters."));
  $("total").textContent = `(${data.total})`;
  const last = Math.min(state.offset + state.limit, data.total);
  $("page").textContent = data.total ? `${state.offset + 1}–${last} of ${data.total}` : "";
  $("prev").disabled = state.offset === 0;
  $("next").disabled = last >= data.total;
  return data.items;
}

// ------------------------------------------------------------------ article view and curation

async function showArticle(articleId) {
  const r = await api("/articles/" + encodeURIComponent(articleId));
  state.selected = articleId;
  for (const li of $("articles").children) li.classList.toggle("selected", li.dataset.articleId === articleId);
  const issue = r.issue;
  const view = $("view");
  const curating = Boolean(token());
  view.replaceChildren(...[
    el("h3", {}, r.title),
    r.subtitle ? el("p", { class: "subtitle" }, r.subtitle) : null,
    el("p", { class: "muted" },
      `${r.article_id} · ${issue.date || "undated"} · ${issue.year || ""}年第${issue.issue_no || "?"}期` +
      `${issue.total_no ? `（总第${issue.total_no}期）` : ""} · pages ${r.pages.join(", ")} · ${issue.source_file}`),
    tagChips(r, curating),
    curating ? curateRow(r) : el("p", { class: "muted" }, "Enter the curator token above to correct tags."),
    ...r.text.split("\n").map((para) => el("p", { class: "text" }, para)),
  ].filter(Boolean));
}

function curateRow(record) {
  const kind = el("select", { "aria-label": "kind" }, el("option", { value: "topic" }, "topic"),
    el("option", { value: "company" }, "company"));
  const label = el("select", { "aria-label": "label" });
  const fill = () => {
    label.replaceChildren();
    for (const item of state.taxonomy[kind.value === "topic" ? "topics" : "companies"]) {
      label.append(el("option", { value: item.key }, `${item.name} (${item.key})`));
    }
  };
  kind.addEventListener("change", fill);
  fill();
  return el("div", { class: "curate" }, "Add", kind, label,
    el("button", { type: "button", onclick: () => changeLabel(record.article_id, kind.value, "+" + label.value) }, "add tag"));
}

async function changeLabel(articleId, kind, change) {
  try {
    const body = kind === "topic" ? { topics: [change] } : { companies: [change] };
    await api(`/articles/${encodeURIComponent(articleId)}/labels`, {}, {
      method: "POST", write: true, body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    });
    showError("");
    await Promise.all([showArticle(articleId), loadArticles(), loadChart()]);
  } catch (err) {
    showError("Tag not changed: " + err.message);
  }
}

// ------------------------------------------------------------------ wiring

async function apply() {
  state.offset = 0;
  try {
    showError("");
    await Promise.all([loadChart(), loadArticles()]);
  } catch (err) {
    showError(err.message);
  }
}

function setTokenState() {
  $("token-state").textContent = token() ? "curating" : "read only";
}

async function init() {
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  $("filters").addEventListener("reset", () => setTimeout(apply, 0));
  $("kind").addEventListener("change", () => loadChart().catch((e) => showError(e.message)));
  $("by").addEventListener("change", () => loadChart().catch((e) => showError(e.message)));
  $("prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit);
    loadArticles().catch((e) => showError(e.message));
  });
  $("next").addEventListener("click", () => {
    state.offset += state.limit;
    loadArticles().catch((e) => showError(e.message));
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("token").value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    $("token").value = "";
    setTokenState();
    if (state.selected) showArticle(state.selected).catch((err) => showError(err.message));
  });
  setTokenState();
  try {
    await Promise.all([loadTaxonomy(), loadSummary()]);
    const [, items] = await Promise.all([loadChart(), loadArticles()]);
    if (items.length) await showArticle(items[0].article_id);
  } catch (err) {
    showError(err.message);
  }
}

init();
