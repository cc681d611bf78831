// covgap dashboard. Data comes from the JSON embedded in index.html; every string
// from the reports is inserted with textContent, never as HTML.
//
// Two steps (issue 14): index.html embeds only the first files rows, the components
// and the file count (covgap.report.html.index_head), so the first rows show at once
// whatever the repository's size; then index-data.js (index_data, all of it) is
// loaded and the dashboard is completed: treemap, gaps, every row, sorting, filters.
(function () {
  "use strict";
  window.__covgapStart = performance.now();  // the benchmark reads this mark
  var head = JSON.parse(document.getElementById("covgap-data").textContent);
  var data = head;
  // Rows arrive as arrays (the index must stay small at 10,000 files); see
  // covgap.report.html.index_data for their columns.
  // The page name as covgap.report.html.slug writes it, from the path and its digest.
  function page(path, digest) {
    var readable = path.replace(/[^A-Za-z0-9._-]+/g, "_").slice(-80).replace(/^[._]+|[._]+$/g, "") || "file";
    return "files/" + readable + "." + digest + ".html";
  }
  // A files row stays its array (r); the page name and the [covered, total] pairs are
  // made when a row is drawn: at 10,000 files, making them all up front delayed the
  // first rows.
  function FileRow(r) {
    var folder = data.folders[r[0]];
    this.r = r.slice(1);
    this.path = folder ? folder + "/" + r[1] : r[1];
    this.component = r[3] < 0 ? null : data.names[r[3]];
    this.missed = r[5] - r[4];
  }
  Object.defineProperties(FileRow.prototype, {
    page: {get: function () { return this._page || (this._page = page(this.path, this.r[1])); }},
    lines: {get: function () { return [this.r[3], this.r[4]]; }},
    branches: {get: function () { return [this.r[5], this.r[6]]; }},
    functions: {get: function () { return [this.r[7], this.r[8]]; }}
  });
  data.files = data.files.map(function (r) { return new FileRow(r); });
  var PAGE = 100;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { for (var k in attrs) { node.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function pctText(pair) {
    var c = pair[0], t = pair[1];
    if (!t) { return "n/a"; }
    var v = 100 * c / t, s = v.toFixed(2);
    if (c < t && s === "100.00") { s = "99.99"; }
    if (c > 0 && s === "0.00") { s = "0.01"; }
    return s + "%";
  }
  function ratio(pair) { return pair[1] ? pair[0] / pair[1] : -1; }
  function cell(row, text, cls) { var td = el("td", cls ? {"class": cls} : null, text); row.appendChild(td); return td; }
  function link(href, text) { var a = el("a", {href: href}, text); return a; }

  // -- files --------------------------------------------------------------------
  var fileTable = document.getElementById("files");
  var filter = document.getElementById("file-filter");
  var compSelect = document.getElementById("component-filter");
  var onlyUncovered = document.getElementById("uncovered-only");
  var more = document.getElementById("show-more");
  var countLabel = document.getElementById("file-count");
  var limit = PAGE;
  function renderFiles() {
    var body = fileTable.tBodies[0];
    body.textContent = "";
    var q = filter.value.toLowerCase(), comp = compSelect.value, only = onlyUncovered.checked;
    var shown = 0, matched = 0;
    var frag = document.createDocumentFragment();
    data.files.forEach(function (f) {
      if (q && f.path.toLowerCase().indexOf(q) < 0) { return; }
      if (comp && f.component !== comp) { return; }
      if (only && !f.missed) { return; }
      matched++;
      if (shown >= limit) { return; }
      shown++;
      var tr = el("tr");
      cell(tr, "").appendChild(link(f.page, f.path));
      cell(tr, f.component || "—");
      cell(tr, pctText(f.lines), "num");
      cell(tr, f.missed, "num");
      cell(tr, pctText(f.branches), "num");
      cell(tr, pctText(f.functions), "num");
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    var total = data === head ? head.count : data.files.length;
    if (data === head) { matched = total; }  // the first rows, unfiltered: all files match
    countLabel.textContent = matched === total ? matched + " files" : matched + " of " + total + " files";
    more.hidden = matched <= shown;
  }
  // The first rows, from the embedded slice (filters and sorting wait for the rest).
  renderFiles();

  // -- the rest: when index-data.js has loaded ------------------------------------
  window.covgapIndexData = function (full) {
    data = full;
    data.files = data.files.map(function (r) { return new FileRow(r); });
    function GapRow(g) {
      this.f = typeof g[0] === "number" ? data.files[g[0]] :
        {path: g[0][0], page: page(g[0][0], g[0][1]), lines: [g[0][2], g[0][3]]};
      this.path = this.f.path;
      this.tier = data.tiers[g[1]];
      this.score = g[2];
      this.reasons = [];
      this.recommended = [];
    }
    Object.defineProperties(GapRow.prototype, {
      page: {get: function () { return this.f.page; }},
      lines: {get: function () { return this.f.lines; }},
      pct: {get: function () { var l = this.f.lines; return ratio(l); }}
    });
    data.gaps = data.gaps.map(function (g) { return new GapRow(g); });
    // Text with `code spans` (as the reasons and recommendations are written): the
    // spans become <code> elements, everything stays text.
    function richText(parent, text) {
      String(text).split("`").forEach(function (part, i) {
        if (!part) { return; }
        parent.appendChild(i % 2 ? el("code", null, part) : document.createTextNode(part));
      });
      return parent;
    }

    // -- sorting ------------------------------------------------------------------
    function sortable(table, rows, keyFns, render) {
      var state = {key: null, dir: 1};
      table.querySelectorAll("th[data-key]").forEach(function (th) {
        th.addEventListener("click", function () {
          var key = th.getAttribute("data-key");
          state.dir = state.key === key ? -state.dir : 1;
          state.key = key;
          table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
          var fn = keyFns[key] || function (r) { return r[key]; };
          rows.sort(function (a, b) {
            var x = fn(a), y = fn(b);
            if (x === y) { return 0; }
            if (x === null || x === undefined) { return 1; }
            if (y === null || y === undefined) { return -1; }
            return (x < y ? -1 : 1) * state.dir;
          });
          render();
        });
      });
    }

    // -- treemap of uncovered lines by folder --------------------------------------
    // Drawn first: it reads the map's size, which forces a layout of the page so far;
    // after the tables are built that layout would cover hundreds of rows (~0.3 s).
    var map = document.getElementById("treemap");
    var crumbs = document.getElementById("treemap-path");
    var prefix = "";
    function children(pfx) {
      var sums = {};
      data.files.forEach(function (f) {
        if (!f.missed || f.path.indexOf(pfx) !== 0) { return; }
        var rest = f.path.slice(pfx.length);
        var cut = rest.indexOf("/");
        var name = cut < 0 ? rest : rest.slice(0, cut + 1);
        var item = sums[name] || (sums[name] = {name: name, value: 0, file: cut < 0 ? f : null});
        item.value += f.missed;
      });
      return Object.keys(sums).map(function (k) { return sums[k]; }).sort(function (a, b) { return b.value - a.value; });
    }
    function worst(items, side, total, area) {
      var sum = 0, mx = 0, mn = Infinity;
      items.forEach(function (i) { var a = i.value / total * area; sum += a; mx = Math.max(mx, a); mn = Math.min(mn, a); });
      var s2 = side * side;
      return Math.max(s2 * mx / (sum * sum), (sum * sum) / (s2 * mn));
    }
    function squarify(items, x, y, w, h, out) {
      var total = items.reduce(function (s, i) { return s + i.value; }, 0);
      var area = w * h;
      var rest = items.slice();
      while (rest.length) {
        var side = Math.min(w, h), row = [rest[0]], i = 1;
        while (i < rest.length && worst(row.concat([rest[i]]), side, total, area) <= worst(row, side, total, area)) { row.push(rest[i]); i++; }
        rest = rest.slice(row.length);
        var rowSum = row.reduce(function (s, r) { return s + r.value; }, 0);
        var rowArea = rowSum / total * area;
        var thick = rowArea / side, pos = 0;
        row.forEach(function (r) {
          var len = (r.value / total * area) / thick;
          if (w >= h) { out.push({item: r, x: x, y: y + pos, w: thick, h: len}); }
          else { out.push({item: r, x: x + pos, y: y, w: len, h: thick}); }
          pos += len;
        });
        if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
        total -= rowSum; area = w * h;
      }
      return out;
    }
    function renderMap() {
      map.textContent = "";
      crumbs.textContent = "";
      var parts = prefix ? prefix.split("/").filter(Boolean) : [];
      var root = el("button", {type: "button"}, "(all)");
      root.addEventListener("click", function () { prefix = ""; renderMap(); });
      crumbs.appendChild(root);
      parts.forEach(function (p, i) {
        crumbs.appendChild(document.createTextNode(" / "));
        var b = el("button", {type: "button"}, p);
        b.addEventListener("click", function () { prefix = parts.slice(0, i + 1).join("/") + "/"; renderMap(); });
        crumbs.appendChild(b);
      });
      var items = children(prefix);
      if (!items.length) { map.appendChild(el("p", null, "No uncovered lines.")); return; }
      var rects = squarify(items, 0, 0, map.clientWidth || 800, map.clientHeight || 360, []);
      var maxv = items[0].value;
      rects.forEach(function (r) {
        var c = el("div", {"class": "cell", title: r.item.name + ": " + r.item.value + " uncovered lines"});
        c.style.left = r.x + "px"; c.style.top = r.y + "px"; c.style.width = r.w + "px"; c.style.height = r.h + "px";
        c.style.background = "hsl(" + (10 + 30 * (1 - r.item.value / maxv)) + ", 70%, 45%)";
        c.appendChild(el("span", null, r.item.name + " (" + r.item.value + ")"));
        c.addEventListener("click", function () {
          if (r.item.file) { window.location.href = r.item.file.page; }
          else { prefix = prefix + r.item.name; renderMap(); }
        });
        map.appendChild(c);
      });
    }
    renderMap();
    window.addEventListener("resize", renderMap);

    // -- gaps ---------------------------------------------------------------------
    var TIER_RANK = {critical: 0, high: 1, medium: 2, low: 3};
    var gapTable = document.getElementById("gaps");
    var moreGaps = document.getElementById("show-more-gaps");
    var tierFilter = "";
    var GAP_PAGE = 50, gapLimit = GAP_PAGE;
    // Rendered a page at a time, like the files table: every file of a large repository
    // can be a gap, and building all their rows (reasons, recommendation lists) made
    // the dashboard take seconds to appear.
    function renderGaps() {
      if (!gapTable) { return; }
      var body = gapTable.tBodies[0];
      body.textContent = "";
      var frag = document.createDocumentFragment();
      var shown = 0, matched = 0;
      data.gaps.forEach(function (g) {
        if (tierFilter && g.tier !== tierFilter) { return; }
        matched++;
        if (shown >= gapLimit) { return; }
        shown++;
        var tr = el("tr");
        cell(tr, g.tier, "t-" + g.tier);
        cell(tr, g.score, "num");
        cell(tr, "").appendChild(link(g.page, g.path));
        cell(tr, pctText(g.lines), "num");
        var why = cell(tr, g.reasons.join("; "));
        if (g.recommended.length) {
          var ul = el("ul");
          g.recommended.forEach(function (r) { ul.appendChild(richText(el("li"), r)); });
          why.appendChild(ul);
        }
        frag.appendChild(tr);
      });
      body.appendChild(frag);
      if (moreGaps) { moreGaps.hidden = matched <= shown; }
    }
    if (gapTable) {
      document.querySelectorAll("button.tier").forEach(function (b) {
        b.addEventListener("click", function () {
          tierFilter = b.getAttribute("data-tier");
          gapLimit = GAP_PAGE;
          document.querySelectorAll("button.tier").forEach(function (o) { o.setAttribute("aria-pressed", String(o === b)); });
          renderGaps();
        });
      });
      if (moreGaps) { moreGaps.addEventListener("click", function () { gapLimit += GAP_PAGE * 10; renderGaps(); }); }
      sortable(gapTable, data.gaps, {tier: function (g) { return TIER_RANK[g.tier]; }}, renderGaps);
      renderGaps();
      var inOrder = data.gaps.slice();
      // The reasons and recommended tests come in gaps.js, loaded after the first rows.
      window.covgapGapDetails = function (doc) {
        inOrder.forEach(function (g, i) {
          g.reasons = (doc.reasons[i] || []).map(function (k) { return doc.strings[k]; });
          g.recommended = doc.recommended[i] || [];
        });
        renderGaps();
      };
      setTimeout(function () {
        var s = document.createElement("script");
        s.src = "gaps.js";
        document.body.appendChild(s);
      }, 0);
    }

    // -- components ---------------------------------------------------------------
    var compTable = document.getElementById("components");
    function renderComponents() {
      var body = compTable.tBodies[0];
      body.textContent = "";
      data.components.forEach(function (c) {
        var tr = el("tr");
        cell(tr, c.name);
        cell(tr, c.language || "—");
        cell(tr, c.files, "num");
        var td = cell(tr, "");
        var bar = el("div", {"class": "bar", title: c.target === null ? "no target" : "target " + c.target + "%"});
        var fill = el("span"); fill.style.width = (c.pct || 0) + "%"; bar.appendChild(fill);
        if (c.target !== null) { var m = el("i", {"class": "target"}); m.style.left = c.target + "%"; bar.appendChild(m); }
        td.appendChild(el("div", null, pctText(c.lines) + (c.target !== null ? " (target " + c.target + "%)" : "")));
        td.appendChild(bar);
        cell(tr, pctText(c.branches), "num");
        cell(tr, pctText(c.functions), "num");
        var status = c.passed === null ? "n/a" : (c.passed ? "pass" : "FAIL");
        cell(tr, status, c.passed === null ? "na" : (c.passed ? "pass" : "fail"));
        body.appendChild(tr);
      });
    }
    sortable(compTable, data.components, {
      pct: function (c) { return ratio(c.lines); },
      branches: function (c) { return ratio(c.branches); },
      functions: function (c) { return ratio(c.functions); }
    }, renderComponents);
    renderComponents();

    // -- files: every row, filters and sorting ---------------------------------------
    var names = {};
    data.files.forEach(function (f) { if (f.component) { names[f.component] = true; } });
    Object.keys(names).sort().forEach(function (n) { compSelect.appendChild(el("option", {value: n}, n)); });

    [filter, compSelect, onlyUncovered].forEach(function (c) {
      c.addEventListener("input", function () { limit = PAGE; renderFiles(); });
    });
    more.addEventListener("click", function () { limit += PAGE * 10; renderFiles(); });
    sortable(fileTable, data.files, {
      pct: function (f) { return f.r[4] ? f.r[3] / f.r[4] : -1; },
      branches: function (f) { return f.r[6] ? f.r[5] / f.r[6] : -1; },
      functions: function (f) { return f.r[8] ? f.r[7] / f.r[8] : -1; }
    }, renderFiles);
    renderFiles();
    window.__covgapReady = performance.now();  // the benchmark's "interactive"
  };
  setTimeout(function () {
    var s = document.createElement("script");
    s.src = "index-data.js";
    document.body.appendChild(s);
  }, 0);
})();
