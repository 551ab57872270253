// The report's interaction, with no server and nothing fetched: the reply tree (a page of threads at a
// time, replies laid out when a thread is opened), filters by label, search, and the overview's sorting.
// Comment text is only ever set as text, never as markup.
"use strict";
(function () {
  const errors = [];
  window.reportErrors = errors;
  window.addEventListener("error", (event) => errors.push(String(event.message)));

  const data = JSON.parse(document.getElementById("report-data").textContent);
  const at = Object.fromEntries(data.fields.map((name, n) => [name, n]));
  const THREADS_PER_PAGE = 50;
  const MATCHES_PER_PAGE = 100;

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function badge(task, label, confidence) {
    if (label === null) return element("span", "badge none", "no " + task);
    const sure = confidence === null ? "" : " " + Math.round(confidence * 100) + "%";
    const made = element("span", "badge " + label, label + sure);
    made.dataset.task = task;
    made.title = task;
    return made;
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  // One comment section's comments: the tree when no filter is on, else the matching comments in order.
  function Explorer(root, comments) {
    const byId = new Map();
    const children = new Map();
    comments.forEach((c) => byId.set(c[at.id], c));
    const roots = [];
    comments.forEach((c) => { // a reply hangs under its parent; one whose parent is not here (or that the depths
      const parent = byId.get(c[at.parent]); // computed for the report show to be in a loop) starts a thread
      if (parent && parent[at.depth] + 1 === c[at.depth]) {
        if (!children.has(parent[at.id])) children.set(parent[at.id], []);
        children.get(parent[at.id]).push(c);
      } else {
        roots.push(c);
      }
    });
    function opposes(c) {
      const parent = byId.get(c[at.parent]);
      if (!parent) return false;
      const pair = parent[at.stance] + ">" + c[at.stance];
      return pair === "support>oppose" || pair === "oppose>support";
    }
    const clashes = new Map(); // comment id -> replies below it taking the opposite side of what they answer
    comments.slice().sort((a, b) => b[at.depth] - a[at.depth]).forEach((c) => { // deepest first, each adding to its parent
      const parent = byId.get(c[at.parent]);
      if (parent && parent[at.depth] + 1 === c[at.depth]) {
        const below = (clashes.get(c[at.id]) || 0) + (opposes(c) ? 1 : 0);
        clashes.set(parent[at.id], (clashes.get(parent[at.id]) || 0) + below);
      }
    });

    const list = root.querySelector(".comments");
    const shown = root.querySelector(".shown");
    const more = root.querySelector("button.more");
    const search = root.querySelector("input[type=search]");
    const filters = Array.from(root.querySelectorAll("button.filter"));
    let showing = [];
    let laidOut = 0;
    let perPage = THREADS_PER_PAGE;
    let treeMode = true;

    function commentElement(c, withReplies) {
      const made = element("article", "comment");
      made.dataset.id = c[at.id];
      made.dataset.stance = c[at.stance] === null ? "" : c[at.stance];
      made.dataset.sentiment = c[at.sentiment] === null ? "" : c[at.sentiment];
      const meta = element("div", "meta");
      const parts = [element("b", "", c[at.author] || "anonymous")];
      if (c[at.time]) parts.push(element("time", "", c[at.time]));
      if (c[at.likes] !== null) parts.push(document.createTextNode("likes " + c[at.likes]));
      if (data.tasks.stance) parts.push(badge("stance", c[at.stance], c[at.stance_confidence]));
      if (data.tasks.sentiment) parts.push(badge("sentiment", c[at.sentiment], c[at.sentiment_confidence]));
      if (opposes(c)) parts.push(element("span", "clash", "⇄ opposes the comment it answers"));
      parts.forEach((part, n) => {
        if (n) meta.append(" · ");
        meta.append(part);
      });
      made.append(meta);
      if (!withReplies && c[at.parent] !== null) {
        const parent = byId.get(c[at.parent]);
        made.append(element("div", "context", parent ? "reply to " + (parent[at.author] || "anonymous") : "a reply (to a comment not in this input)"));
      }
      made.append(element("div", "text", c[at.text]));
      const replies = children.get(c[at.id]);
      if (withReplies && replies) {
        const details = element("details", "replies");
        const exchanges = clashes.get(c[at.id]) || 0;
        details.append(element("summary", "", plural(replies.length, "reply", "replies")
          + (exchanges ? " · ⇄ " + exchanges + " below take" + (exchanges === 1 ? "s" : "") + " the other side of what they answer" : "")));
        details.addEventListener("toggle", () => {
          if (details.open && details.childElementCount === 1) {
            replies.forEach((reply) => details.append(commentElement(reply, true)));
          }
        }, { once: false });
        made.append(details);
      }
      return made;
    }

    function active(task) {
      return filters.filter((b) => b.dataset.task === task && b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.label);
    }

    function update() {
      const stances = active("stance");
      const feelings = active("sentiment");
      const words = search.value.trim().toLowerCase();
      treeMode = !stances.length && !feelings.length && !words;
      if (treeMode) {
        showing = roots;
        perPage = THREADS_PER_PAGE;
      } else {
        showing = comments.filter((c) =>
          (!stances.length || stances.includes(c[at.stance]))
          && (!feelings.length || feelings.includes(c[at.sentiment]))
          && (!words || c[at.text].toLowerCase().includes(words) || (c[at.author] || "").toLowerCase().includes(words)));
        perPage = MATCHES_PER_PAGE;
      }
      list.replaceChildren();
      laidOut = 0;
      layOutMore();
      shown.dataset.matching = String(treeMode ? comments.length : showing.length);
      shown.textContent = treeMode
        ? plural(comments.length, "comment", "comments") + " in " + plural(roots.length, "thread", "threads")
          + (roots.length > THREADS_PER_PAGE ? ", " + THREADS_PER_PAGE + " threads at a time" : "") + "; open a thread's replies below it."
        : showing.length + " of " + plural(comments.length, "comment matches", "comments match") + " the filters, in the order they were written.";
    }

    function layOutMore() {
      const next = showing.slice(laidOut, laidOut + perPage);
      const fragment = document.createDocumentFragment();
      next.forEach((c) => fragment.append(commentElement(c, treeMode)));
      list.append(fragment);
      laidOut += next.length;
      more.hidden = laidOut >= showing.length;
      more.textContent = "show " + Math.min(perPage, showing.length - laidOut) + " more (" + (showing.length - laidOut) + " left)";
    }

    filters.forEach((button) => button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
      update();
    }));
    let typing = null;
    search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(update, 150);
    });
    root.querySelector("button.clear").addEventListener("click", () => {
      filters.forEach((button) => button.setAttribute("aria-pressed", "false"));
      search.value = "";
      update();
    });
    more.addEventListener("click", layOutMore);
    update();
  }

  function sortable(table) {
    const body = table.tBodies[0];
    table.querySelectorAll("button[data-sort]").forEach((button) => button.addEventListener("click", () => {
      const column = Number(button.dataset.sort);
      const ascending = button.getAttribute("aria-sort") === "descending";
      table.querySelectorAll("button[aria-sort]").forEach((b) => b.removeAttribute("aria-sort"));
      button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const value = (row) => row.cells[column].dataset.value;
      const rows = Array.from(body.rows);
      const numeric = rows.every((row) => value(row) !== "" && !isNaN(Number(value(row))));
      rows.sort((a, b) => {
        const order = numeric ? Number(value(a)) - Number(value(b)) : value(a).localeCompare(value(b));
        return ascending ? order : -order;
      });
      body.append(...rows);
    }));
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(sortable);
    const explorers = Array.from(document.querySelectorAll(".explorer"));
    const open = (root) => {
      if (root.dataset.ready) return;
      root.dataset.ready = "1";
      Explorer(root, data.sections[Number(root.dataset.section)]);
    };
    if (explorers.length <= 3 || !("IntersectionObserver" in window)) {
      explorers.forEach(open);
    } else { // many sections: each lays out its comments when it comes near the screen
      const watcher = new IntersectionObserver((seen) => seen.forEach((entry) => {
        if (entry.isIntersecting) {
          watcher.unobserve(entry.target);
          open(entry.target);
        }
      }), { rootMargin: "400px" });
      explorers.forEach((root) => watcher.observe(root));
    }
    document.documentElement.dataset.ready = "1";
    performance.mark("report-ready");
  }

  start();
})();
