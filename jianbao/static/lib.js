// What every view shares: building elements (values go in as text, never as HTML), the API
// client, the taxonomy's Chinese names, the view state read from and written to the URL.
"use strict";

export const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "jianbao-token";

// The state of the page is its URL: these keys, with these defaults (left out of the URL).
export const DEFAULTS = {
  view: "trends", kind: "topic", by: "year", measure: "count", mode: "lines", topic: "", company: "",
  since: "", until: "", q: "", offset: "0", issue: "", article: "",
};

export const names = {};          // taxonomy key -> Chinese name
let namesLoaded;
/** Resolved once the taxonomy is in `names` (or failed to load: keys are shown then). */
export const namesReady = new Promise((resolve) => { namesLoaded = resolve; });
export function setNames(taxonomy) {
  for (const item of [...(taxonomy ? taxonomy.topics : []), ...(taxonomy ? taxonomy.companies : [])]) {
    names[item.key] = item.name;
  }
  namesLoaded();
}

export function el(tag, attrs = {}, ...children) {
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

export function nameOf(key) { return names[key] || key; }

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
}

export function query(params) {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined && value !== false) out.set(key, value);
  }
  return out.toString();
}

export async function api(path, params = {}, options = {}) {
  const qs = query(params);
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (options.write && token()) headers.Authorization = "Bearer " + token();
  const response = await fetch(path + (qs ? "?" + qs : ""), Object.assign({}, options, { headers }));
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

// ------------------------------------------------------------------ the state in the URL

export function readState() {
  const params = new URLSearchParams(location.search);
  const state = {};
  for (const [key, fallback] of Object.entries(DEFAULTS)) state[key] = params.get(key) ?? fallback;
  return state;
}

export function stateUrl(state) {
  const kept = {};
  for (const [key, value] of Object.entries(state)) {
    if (key in DEFAULTS && value !== DEFAULTS[key]) kept[key] = value;
  }
  const qs = query(kept);
  return location.pathname + (qs ? "?" + qs : "");
}

let renderer = () => {};
export function onNavigate(fn) { renderer = fn; }

/** Show another view: a new history entry (back returns here), then draw it. */
export function go(patch, replace = false) {
  const url = stateUrl(Object.assign(readState(), { offset: "0" }, patch));
  history[replace ? "replaceState" : "pushState"](null, "", url);
  renderer();
}

/** A link to another view of the same page: a real href (middle-click, copy) and pushState on click. */
export function link(patch, ...children) {
  const target = Object.assign(readState(), { offset: "0" }, patch);
  return el("a", { href: stateUrl(target), "data-nav": "" }, ...children);
}

/** "【无人机】配送" -> text with <mark>无人机</mark>: the CLI's highlight markers as marks. */
export function marked(snippet) {
  const parts = String(snippet || "").split(/【|】/);
  return parts.map((part, i) => (i % 2 ? el("mark", {}, part) : part));
}

export function terms(q) {
  return String(q || "").split(/[,，、;；]/).map((t) => t.trim()).filter(Boolean);
}

export function downloadText(text, filename, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob(["\ufeff" + text], { type }));   // BOM: Excel reads UTF-8
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function table(header, rows) {
  return el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, header.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell))))));
}
