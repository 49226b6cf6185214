// The reading views: search results (ranked, with the CLI's snippets) or the filtered article
// list, the issue browser (masthead, articles, 报/送, tables, source file), one article.
"use strict";

import { $, api, el, link, marked, nameOf, namesReady, table, token } from "./lib.js";

const PAGE = 20;

// ------------------------------------------------------------------ search and article lists

export async function renderSearch(s) {
  const offset = Math.max(0, parseInt(s.offset, 10) || 0);
  const filters = { topic: s.topic, company: s.company, since: s.since, until: s.until, limit: PAGE, offset };
  const ranked = Boolean(s.q.trim());
  const [data] = await Promise.all([ranked ? api("/search", Object.assign({ q: s.q.trim() }, filters))
    : api("/articles", filters), namesReady]);
  $("search-title").firstChild.textContent = ranked ? `Search “${s.q.trim()}” ` : "Articles ";
  $("search-total").textContent = `(${data.total})`;
  $("results").replaceChildren(...data.items.map((item, i) => result(item, ranked, offset + i + 1)));
  $("results").start = offset + 1;
  if (!data.items.length) $("results").append(el("li", { class: "muted" }, "nothing matches these filters"));
  pager(offset, data.total);
}

function result(item, ranked, rank) {
  const id = item.article_id;
  const date = ranked ? item.date : item.issue.date;
  const tags = ranked ? [] : [...item.topics, ...item.companies].map((t) =>
    el("span", { class: "tag" + (t.source === "human" ? " human" : "") }, nameOf(t.label)));
  return el("li", { "data-article-id": id, "data-rank": rank },
    link({ view: "article", article: id }, item.title),
    el("span", { class: "muted" }, ` ${date || ""} · ${id}` + (ranked ? ` · score ${item.score}` : "")),
    ranked ? el("p", { class: "snippet" }, marked(item.snippet)) : el("p", { class: "tags" }, tags));
}

function pager(offset, total) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  $("page").textContent = `page ${Math.floor(offset / PAGE) + 1} of ${pages}`;
  for (const [id, to, ok] of [["prev", offset - PAGE, offset > 0], ["next", offset + PAGE, offset + PAGE < total]]) {
    const next = link({ offset: String(Math.max(0, to)) }, $(id).textContent);
    next.id = id;
    if (!ok) next.setAttribute("aria-disabled", "true");
    $(id).replaceWith(next);
  }
}

// ------------------------------------------------------------------ issues

export async function renderIssues(s) {
  const issues = await api("/issues", { limit: 1000 });
  $("issues-total").textContent = `(${issues.length})`;
  $("issue-list").replaceChildren(...issues.map((i) => el("li", { "data-issue-id": i.issue_id,
    class: i.issue_id === s.issue ? "selected" : null },
  link({ view: "issues", issue: i.issue_id }, `${i.year}年第${i.issue_no ?? "?"}期`),
  el("span", { class: "muted" }, ` 总第${i.total_no ?? "?"}期 · ${i.date || ""} · ${i.n_articles} 篇`))));
  const key = s.issue || (issues.length ? issues[issues.length - 1].issue_id : "");
  if (!key) return $("issue").replaceChildren(el("p", { class: "muted" }, "No issues yet."));
  $("issue").replaceChildren(issueView(await api(`/issues/${encodeURIComponent(key)}`)));
}

function issueView(issue) {
  const masthead = el("div", { class: "masthead" },
    el("p", { class: "series" }, issue.series || ""),
    el("h2", {}, `${issue.year}年第${issue.issue_no ?? "?"}期`, el("span", { class: "muted" }, `（总第${issue.total_no ?? "?"}期）`)),
    el("p", { class: "muted" }, `${issue.date || ""} · 编辑 ${issue.editor || "—"} · ${issue.n_pages} 页 · ${issue.source_kind}`),
    el("p", {}, el("a", { href: `/documents/${issue.sha256}/file`, class: "source" }, "source file 原件"),
      el("span", { class: "muted" }, ` ${issue.source_file}`)));
  const articles = el("ol", { class: "issue-articles" }, issue.articles.map((a) =>
    el("li", { "data-article-id": a.article_id, value: a.seq }, link({ view: "article", article: a.article_id }, a.title),
      el("span", { class: "muted" }, ` p.${(a.pages || []).join(",")}`))));
  const distribution = el("dl", { class: "distribution" },
    el("dt", {}, "报："), el("dd", { id: "report-to" }, (issue.report_to || []).join("，") || "—"),
    el("dt", {}, "送："), el("dd", { id: "copy-to" }, (issue.copy_to || []).join("，") || "—"));
  const tables = (issue.tables || []).map((t) => el("figure", { class: "doc-table" },
    el("figcaption", {}, t.title || "table", t.period ? el("span", { class: "muted" }, ` ${t.period}`) : null),
    table(t.header, t.rows), t.note ? el("p", { class: "muted" }, t.note) : null));
  const warnings = issue.warnings.length ? el("ul", { class: "warnings" },
    issue.warnings.map((w) => el("li", {}, `${w.code} (p.${w.page ?? "?"}): ${w.message}`))) : null;
  return el("div", { "data-issue-id": issue.issue_id }, masthead, el("h3", {}, "目录 Articles"), articles,
    el("h3", {}, "报送 Distribution"), distribution, tables.length ? el("h3", {}, "来稿及刊用情况 Tables") : null,
    tables, warnings ? el("h3", {}, "Parse warnings") : null, warnings);
}

// ------------------------------------------------------------------ one article

export async function renderArticle(s) {
  const view = $("article-view");
  if (!s.article) return view.replaceChildren(el("p", { class: "muted" }, "Choose an article."));
  const [a, history] = await Promise.all([api(`/articles/${encodeURIComponent(s.article)}`),
    api(`/articles/${encodeURIComponent(s.article)}/history`), namesReady]);
  const i = a.issue;
  view.replaceChildren(el("div", { "data-article-id": a.article_id },
    el("h2", {}, a.title), a.subtitle ? el("p", { class: "subtitle" }, a.subtitle) : null,
    el("p", { class: "muted" }, link({ view: "issues", issue: a.article_id.replace(/-\d+$/, "") },
      `${i.year}年第${i.issue_no ?? "?"}期（总第${i.total_no ?? "?"}期）`), ` · ${i.date || ""} · p.${a.pages.join(",")}`,
    a.low_confidence ? " · low OCR confidence" : ""),
    el("h3", {}, "Tags 标签"), tagList("topic", a.topics), tagList("company", a.companies), editor(a),
    el("h3", {}, "Mentions 提及"), a.mentions.length ? table(["company", "text", "role", "field", "unit"],
      a.mentions.map((m) => [nameOf(m.label), m.text, m.role || "", m.field, m.unit || ""])) : el("p", { class: "muted" }, "none"),
    el("h3", {}, "Label history 标注记录"), history.length ? table(["at", "who", "kind", "label", "source", "old → new"],
      history.map((h) => [h.at, h.who || "", h.kind, nameOf(h.label), h.source, `${h.old_value ?? "—"} → ${h.new_value ?? "—"}`]))
      : el("p", { class: "muted" }, "no changes"),
    el("h3", {}, "Text 正文"), el("div", { class: "text" }, a.text.split("\n").map((p) => el("p", {}, p)))));
}

function tagList(kind, tags) {
  return el("p", { class: "tags", "data-kind": kind }, tags.length ? tags.map((t) =>
    el("span", { class: "tag" + (t.source === "human" ? " human" : ""), title: `${t.source} ${t.score ?? ""}` },
      nameOf(t.label), t.score !== null ? el("small", {}, ` ${Number(t.score).toFixed(2)}`) : ""))
    : el("span", { class: "muted" }, `no ${kind}`));
}

function editor(a) {
  if (!token()) return el("p", { class: "muted" }, "Enter the curator token to correct tags.");
  const input = el("input", { name: "changes", size: 40, placeholder: "+anti_fraud -culture_publicity company:+sf" });
  const status = el("span", { class: "muted" });
  return el("form", { class: "editor", onsubmit: async (event) => {
    event.preventDefault();
    const body = { topics: [], companies: [], by: "dashboard" };
    for (const word of input.value.split(/\s+/).filter(Boolean)) {
      if (word.startsWith("company:")) body.companies.push(word.slice(8)); else body.topics.push(word);
    }
    try {
      await api(`/articles/${encodeURIComponent(a.article_id)}/labels`, {}, { method: "POST", write: true,
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      await renderArticle({ article: a.article_id });
    } catch (err) { status.textContent = err.message; }
  } }, input, el("button", { type: "submit" }, "Save"), status);
}
