// jianbao dashboard, the analyst's workbench: the view and its filters live in the URL (a link
// reproduces the view; back and forward work), charts are Plotly.js from the installed plotly
// package, everything else is plain DOM. No build step, no network beyond this server.
"use strict";

import { renderHeatmap, renderSubmissions, renderTrends } from "./charts.js";
import { $, DEFAULTS, api, el, onNavigate, readState, setNames, setToken, stateUrl, token } from "./lib.js";
import { renderArticle, renderIssues, renderSearch } from "./pages.js";

const VIEWS = { trends: renderTrends, heatmap: renderHeatmap, search: renderSearch, issues: renderIssues,
  article: renderArticle, submissions: renderSubmissions };
const form = $("filters");
let drawing = 0;

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

/** Draw the view the URL names; a newer navigation wins over a slower older one. */
async function render() {
  const s = readState();
  if (!(s.view in VIEWS)) s.view = DEFAULTS.view;
  const mine = ++drawing;
  fillForm(s);
  for (const section of document.querySelectorAll("main > .view")) section.hidden = section.id !== s.view;
  for (const tab of document.querySelectorAll("#tabs a")) {
    tab.classList.toggle("current", tab.dataset.view === s.view || (s.view === "article" && tab.dataset.view === "search"));
  }
  for (const node of document.querySelectorAll("[data-views]")) {
    node.hidden = !node.dataset.views.split(" ").includes(s.view);
  }
  form.hidden = s.view === "issues" || s.view === "article";
  document.body.dataset.view = s.view;
  showError("");
  try {
    await VIEWS[s.view](s);
    if (mine === drawing) {                 // tests and python -m bench serve wait for these
      document.body.dataset.drawnMs = performance.now().toFixed(1);
      document.body.dataset.ready = stateUrl(s);
    }
  } catch (err) {
    if (mine === drawing) showError(err.message);
  }
}

function fillForm(s) {
  for (const field of form.elements) {
    if (field.name && field.name in s) field.value = s[field.name];
  }
}

function submitted(event) {
  event.preventDefault();
  const patch = { offset: "0" };
  for (const field of form.elements) {
    if (field.name && !field.closest("[hidden]")) patch[field.name] = field.value.trim();
  }
  history.pushState(null, "", stateUrl(Object.assign(readState(), patch)));
  render();
}

function followLinks(event) {
  const a = event.target.closest("a[data-nav], #tabs a, #reset");
  if (!a || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (a.closest("#tabs")) {         // a tab keeps the filters, changes the view
    history.pushState(null, "", stateUrl(Object.assign(readState(), { view: a.dataset.view, offset: "0" })));
  } else {
    history.pushState(null, "", a.getAttribute("href"));
  }
  render();
}

async function loadTaxonomy() {
  let tax = null;
  try {
    tax = await api("/taxonomy");
    for (const [kind, select] of [["topics", form.elements.topic], ["companies", form.elements.company]]) {
      for (const item of tax[kind]) select.append(el("option", { value: item.key }, `${item.name} (${item.key})`));
    }
    fillForm(readState());              // the options exist now: select the URL's topic and company
  } finally {
    setNames(tax);
  }
}

async function loadSummary() {
  const s = await api("/stats");
  const range = s.first_date ? `${s.first_date} – ${s.last_date}` : "no dated issues";
  $("summary").textContent = `${s.issues} issues · ${s.articles} articles · ${s.pages} pages · ${range}`;
}

function tokenForm() {
  const show = () => { $("token-state").textContent = token() ? "set (this tab only)" : ""; };
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("token").value.trim());
    $("token").value = "";
    show();
    render();
  });
  show();
}

async function main() {
  onNavigate(render);
  form.addEventListener("submit", submitted);
  for (const select of form.querySelectorAll("select")) select.addEventListener("change", submitted);
  document.addEventListener("click", followLinks);
  window.addEventListener("popstate", render);
  tokenForm();
  loadTaxonomy().catch((err) => showError(err.message));       // the first view's data loads meanwhile
  loadSummary().catch((err) => showError(err.message));
  await render();
}

main();
