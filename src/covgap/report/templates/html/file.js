// covgap file page. The page carries its file's data as JSON (format described in
// docs/architecture.md); this script draws the header, the functions table and the
// highlighted source with per-line hits, branch outcomes, suites and any extra
// per-line field. Every string from the code or the reports is inserted as text
// (textContent / text nodes), never parsed as HTML.
(function () {
  "use strict";
  window.__covgapStart = performance.now();  // the benchmark reads these marks
  var d = JSON.parse(document.getElementById("covgap-file").textContent);
  var main = document.getElementById("file");
  main.textContent = "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function num(n) {
    return n < 1000 && n > -1000 ? String(n) : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  // As covgap's Python reports: never rounded up to 100 nor down to 0.
  function pctText(c, t) {
    if (!t) { return "n/a"; }
    var s = (100 * c / t).toFixed(2);
    if (c < t && s === "100.00") { s = "99.99"; }
    if (c > 0 && s === "0.00") { s = "0.01"; }
    return s + "%";
  }

  // -- syntax highlighting: a small tokenizer per language family ------------------
  // One global regular expression per language; its groups are comment, string,
  // number and word (a word is a keyword when listed). Good enough to read code by,
  // and about a millisecond per thousand lines.
  var R = {
    hash: /#[^\n]*/.source,
    slash: /\/\/[^\n]*/.source,
    block: /\/\*[\s\S]*?(?:\*\/|$)/.source,
    dq: /"(?:[^"\\\n]|\\.)*"?/.source,
    sq: /'(?:[^'\\\n]|\\.)*'?/.source,
    chr: /'(?:\\[^\n']{1,10}|[^'\\\n])'/.source,
    bt: /`(?:[^`\\]|\\[\s\S])*`?/.source,
    rawbt: /`[^`]*`?/.source,
    pytriple: /[rRbBuUfF]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$))/.source,
    pyprefix: /[rRbBuUfF]{1,2}(?=["'])/.source,
    rsraw: /b?r#*"[\s\S]*?(?:"#*|$)/.source,
    num: /\b(?:0[xXbBoO][0-9a-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)[a-zA-Z0-9_]*/.source,
    word: /[A-Za-z_$][\w$]*/.source
  };
  function words(s) { var o = Object.create(null); s.split(" ").forEach(function (w) { o[w] = true; }); return o; }
  var C_KW = "auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false NULL nullptr class namespace template typename public private protected virtual new delete this using size_t";
  var LANGS = {
    python: {
      comment: [R.hash], string: [R.pytriple, R.pyprefix + "(?:" + R.dq + "|" + R.sq + ")", R.dq, R.sq],
      kw: words("and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case None True False self")
    },
    js: {
      comment: [R.slash, R.block], string: [R.dq, R.sq, R.bt],
      kw: words("break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof let new of return super switch this throw try typeof var void while with yield async await static get set type interface enum implements private protected public readonly declare namespace abstract as from null undefined true false")
    },
    go: {
      comment: [R.slash, R.block], string: [R.dq, R.chr, R.rawbt],
      kw: words("break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false iota")
    },
    rust: {
      comment: [R.slash, R.block], string: [R.rsraw, "b?" + R.dq, "b?" + R.chr],
      kw: words("as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while")
    },
    c: {comment: [R.slash, R.block], string: [R.dq, R.chr], kw: words(C_KW)},
    java: {
      comment: [R.slash, R.block], string: [R.dq, R.chr],
      kw: words("abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for if implements import instanceof int interface long native new package private protected public return short static super switch synchronized this throw throws transient try void volatile while true false null var val fun when object override")
    },
    ruby: {
      comment: [R.hash], string: [R.dq, R.sq],
      kw: words("alias and begin break case class def do else elsif end ensure false for if in module next nil not or redo rescue retry return self super then true undef unless until when while yield require attr_reader attr_accessor")
    }
  };

  // The source's lines, each a list of [class, text] segments ("" = plain text),
  // made on demand: ``upTo(n)`` tokenizes until n lines are complete, so the first
  // screen of a 5,000-line file does not wait for the whole file's tokens.
  function Tokens(src, lang) {
    var lines = [[]], spec = lang && LANGS[lang], pos = 0, done = false;
    function emit(cls, text) {
      var parts = text.split("\n");
      for (var i = 0; i < parts.length; i++) {
        if (i) { lines.push([]); }
        if (parts[i]) { lines[lines.length - 1].push([cls, parts[i]]); }
      }
    }
    var re = null;
    if (spec) {
      re = new RegExp("(" + spec.comment.join("|") + ")|(" + spec.string.join("|") + ")|(" +
        R.num + ")|(" + R.word + ")", "g");
    }
    this.lines = lines;
    this.upTo = function (n) {
      if (done) { return; }
      if (!re) { emit("", src); done = true; return; }
      var m;
      while (lines.length <= n) {
        m = re.exec(src);
        if (m === null) { break; }
        if (m[0] === "") { re.lastIndex++; continue; }
        var cls = m[1] !== undefined ? "c" : m[2] !== undefined ? "s" : m[3] !== undefined ? "m" :
          (spec.kw[m[0]] === true ? "k" : "");
        if (!cls) { continue; }  // a plain word: stays in the surrounding text
        if (m.index > pos) { emit("", src.slice(pos, m.index)); }
        emit(cls, m[0]);
        pos = re.lastIndex;
      }
      if (m === null || m === undefined && lines.length <= n) {
        if (pos < src.length) { emit("", src.slice(pos)); }
        pos = src.length;
        done = true;
      }
    };
  }

  // -- the header -------------------------------------------------------------------
  var header = document.querySelector("header");
  if (d.component) { header.querySelector(".crumbs").appendChild(document.createTextNode(" · " + d.component)); }
  var meta = el("p", "meta");
  ["Lines", "Branches", "Functions"].forEach(function (name, i) {
    var t = d.totals[i], span = el("span", "stat", name + " ");
    span.appendChild(el("b", null, pctText(t[0], t[1])));
    span.appendChild(document.createTextNode(" (" + num(t[0]) + "/" + num(t[1]) + ")"));
    meta.appendChild(span);
    meta.appendChild(document.createTextNode(" "));
  });
  header.appendChild(meta);
  if (d.missing) { header.appendChild(el("p", "missing", "Uncovered: " + d.missing)); }

  // -- per-line data ------------------------------------------------------------------
  var hits = new Map();
  for (var i = 0; i < d.lines.length; i++) { hits.set(d.lines[i], d.hits[i]); }
  var branches = new Map();
  var bl = d.branches[0];
  for (i = 0; i < bl.length; i++) {
    var list = branches.get(bl[i]);
    if (!list) { branches.set(bl[i], list = []); }
    list.push(i);
  }
  var suites = new Map();
  d.suites.forEach(function (s) {
    s[1].forEach(function (ln) {
      var names = suites.get(ln);
      if (!names) { suites.set(ln, names = []); }
      names.push(s[0]);
    });
  });
  var extra = d.extra || {};
  var extraNames = Object.keys(extra).sort();

  var text = d.source;
  var tokens = new Tokens(text || "", d.lang);
  // Lines of the source; the empty "line" after a file's final newline is no line.
  var shown = 0;
  if (text) {
    var newlines = text.split("\n").length - 1;
    shown = text.slice(-1) === "\n" ? newlines : newlines + 1;
  }
  // Every source line, then any line the report names past the end of the source (a
  // stale report, or no source): only those, never every number up to the largest.
  var numbers = [];
  for (i = 1; i <= shown; i++) { numbers.push(i); }
  var beyond = [];
  hits.forEach(function (_, ln) { if (ln > shown) { beyond.push(ln); } });
  branches.forEach(function (_, ln) { if (ln > shown && !hits.has(ln)) { beyond.push(ln); } });
  beyond.sort(function (a, b) { return a - b; });
  numbers = numbers.concat(beyond);

  var LABEL = {taken: "✓", "not-taken": "✗", never: "–"};
  function branchState(k) {
    var taken = d.branches[3][k];
    return taken === -1 ? "never" : taken ? "taken" : "not-taken";
  }
  function state(n) {
    var h = hits.get(n);
    if (h === undefined) { return "none"; }
    if (h === 0) { return "miss"; }
    var brs = branches.get(n);
    if (brs) { for (var k = 0; k < brs.length; k++) { if (branchState(brs[k]) !== "taken") { return "partial"; } } }
    return "hit";
  }
  var states = new Array(numbers.length), blocks = [], inBlock = false;
  for (i = 0; i < numbers.length; i++) {
    var st = states[i] = state(numbers[i]);
    if (st === "miss" && !inBlock) { blocks.push(i); }
    if (st === "miss") { inBlock = true; } else if (st === "hit" || st === "partial") { inBlock = false; }
  }
  var blockStart = new Set(blocks);

  // -- jumps between uncovered blocks ---------------------------------------------------
  var nav = el("nav", "jump");
  nav.setAttribute("aria-label", "Uncovered blocks");
  var prev = el("button", null, "◀ previous uncovered"), next = el("button", null, "next uncovered ▶");
  prev.type = next.type = "button";
  prev.id = "prev-block"; next.id = "next-block";
  prev.title = "Previous uncovered block (p)"; next.title = "Next uncovered block (n)";
  var posLabel = el("span", null, blocks.length + " uncovered block" + (blocks.length === 1 ? "" : "s"));
  posLabel.id = "block-pos";
  nav.appendChild(prev); nav.appendChild(posLabel); nav.appendChild(next);
  header.appendChild(nav);

  // -- functions ------------------------------------------------------------------------
  if (d.functions.length) {
    var det = el("details"); det.open = true;
    det.appendChild(el("summary", null, "Functions (" + d.functions.length + ")"));
    var ft = el("table", "functions");
    var fh = ft.createTHead().insertRow();
    [["Function", ""], ["Lines", "num"], ["Coverage", "num"], ["Complexity", "num"]].forEach(function (h) {
      fh.appendChild(el("th", h[1], h[0]));
    });
    var fb = ft.createTBody();
    d.functions.forEach(function (f) {
      var tr = fb.insertRow();
      tr.className = f[4] === 0 ? "fn-miss" : (f[4] < f[5] ? "fn-partial" : "fn-hit");
      var a = el("a", null, f[0]); a.href = "#L" + f[1];
      tr.insertCell().appendChild(a);
      tr.appendChild(el("td", "num", f[1] + "–" + f[2]));
      tr.appendChild(el("td", "num", pctText(f[4], f[5])));
      tr.appendChild(el("td", "num", f[3] === null ? "—" : f[3]));
    });
    det.appendChild(ft);
    main.appendChild(det);
  }
  if (d.problem) { main.appendChild(el("p", "problem", "Source not shown: " + d.problem + ". Line data from the coverage report follows.")); }

  // -- the source: a header table, then one table per slice of rows -------------------
  // Every table has the same fixed column widths (table-layout: fixed), so they line
  // up as one; a new slice is laid out on its own (appending rows to one big table
  // made the browser lay all of it out again), and slices off screen are not laid out
  // at all (content-visibility: auto).
  var view = el("div", "source-view");
  view.id = "source";
  var maxBranches = 0;
  branches.forEach(function (list) { maxBranches = Math.max(maxBranches, list.length); });
  var maxLine = numbers.length ? numbers[numbers.length - 1] : 1;
  var hasSuites = d.suites.length > 0;
  var widths = [Math.max(4, String(maxLine).length + 1) + "ch", "10ch",
    Math.max(9, Math.min(maxBranches, 16) * 1.5 + 1) + "em"];
  if (hasSuites) { widths.push(Math.max(10, Math.min(d.suites.length, 4) * 7) + "em"); }
  extraNames.forEach(function () { widths.push("16em"); });
  widths.push("auto");
  var cols = el("colgroup");
  widths.forEach(function (w) { var c = el("col"); c.style.width = w; cols.appendChild(c); });
  var head = el("table", "source code head");
  head.appendChild(cols.cloneNode(true));
  var hr = head.createTHead().insertRow();
  hr.appendChild(el("th", "num", "Line"));
  hr.appendChild(el("th", "num", "Hits"));
  hr.appendChild(el("th", null, "Branches"));
  if (hasSuites) { hr.appendChild(el("th", null, "Suites")); }
  extraNames.forEach(function (name) { hr.appendChild(el("th", null, extra[name].label)); });
  hr.appendChild(el("th", null, "Code"));
  view.appendChild(head);
  main.appendChild(view);

  // One row skeleton, cloned per line: cheaper than building each cell. Line numbers
  // are plain cells (a click sets the URL's #L<n>): an <a href> per line made the
  // browser resolve thousands of URLs.
  var proto = el("tr");
  proto.appendChild(el("td", "ln"));
  proto.appendChild(el("td", "hits"));
  proto.appendChild(el("td", "br"));
  if (hasSuites) { proto.appendChild(el("td", "flags")); }
  extraNames.forEach(function () { proto.appendChild(el("td", "extra")); });
  proto.appendChild(el("td", "src"));
  var SRC = proto.cells.length - 1;
  view.addEventListener("click", function (e) {
    var cell = e.target;
    if (cell && cell.className === "ln") { window.location.hash = cell.parentNode.id; }
  });

  function row(i) {
    var n = numbers[i], tr = proto.cloneNode(true), cells = tr.cells;
    tr.id = "L" + n;
    tr.className = blockStart.has(i) ? states[i] + " block-start" : states[i];
    cells[0].textContent = n;
    var h = hits.get(n);
    if (h !== undefined) { cells[1].textContent = num(h); }
    var brs = branches.get(n);
    if (brs) {
      brs.forEach(function (k) {
        var s = branchState(k), taken = d.branches[3][k];
        var b = el("span", "b b-" + s, LABEL[s]);
        b.title = "block " + d.branches[1][k] + " branch " + d.branches[2][k] + ": " +
          (s === "never" ? "never evaluated" : s === "taken" ? "taken " + num(taken) + "×" : "not taken");
        cells[2].appendChild(b);
      });
    }
    var c = 3;
    if (hasSuites) {
      var names = suites.get(n);
      if (names) { names.forEach(function (f) { cells[3].appendChild(el("span", "flag", f)); }); }
      c = 4;
    }
    extraNames.forEach(function (name) {
      var v = extra[name].lines[n];
      if (v !== undefined && v !== null) { cells[c].textContent = Array.isArray(v) ? v.join(", ") : String(v); }
      c++;
    });
    var segs = null;
    if (n <= shown) { tokens.upTo(n); segs = tokens.lines[n - 1]; }
    if (segs) {
      var td = cells[SRC];
      if (segs.length === 1 && !segs[0][0]) { td.textContent = segs[0][1]; }
      else {
        for (var k = 0; k < segs.length; k++) {
          var seg = segs[k];
          if (seg[0]) { td.appendChild(el("span", seg[0], seg[1])); }
          else { td.appendChild(document.createTextNode(seg[1])); }
        }
      }
    }
    return tr;
  }

  // Rows are drawn in slices so a large file is usable at once: the first screenful
  // (or up to the line in the URL) now, the rest when the browser is idle, a few ms
  // at a time (requestIdleCallback where there is one), so clicks and keys are
  // answered while a 5,000-line file is still drawing; and a slice coming into view
  // is drawn at once (an IntersectionObserver on the end of what is drawn), so
  // scrolling never waits for the idle time that a loaded machine may not give.
  var SLICE = 100, drawn = 0;
  var sentinel = el("div", "sentinel"), watcher = null;
  function finished() {
    if (watcher) { watcher.disconnect(); watcher = null; }
    if (sentinel.parentNode) { sentinel.parentNode.removeChild(sentinel); }
    if (window.__covgapDrawn === undefined) { window.__covgapDrawn = performance.now(); }
  }
  function drawSlice() {
    var wrap = el("div", "slice"), table = el("table", "source code");
    var end = Math.min(drawn + SLICE, numbers.length);
    wrap.style.containIntrinsicSize = "auto " + (end - drawn) * 17 + "px";
    table.appendChild(cols.cloneNode(true));
    var body = table.createTBody();
    for (var i = drawn; i < end; i++) { body.appendChild(row(i)); }
    wrap.appendChild(table);
    view.insertBefore(wrap, sentinel.parentNode === view ? sentinel : null);
    drawn = end;
    if (drawn === numbers.length) { finished(); }
  }
  // Slices up to row ``count``; with a budget (ms), stop early once it is spent.
  function drawThrough(count, budget) {
    var start = performance.now();
    count = Math.min(count, numbers.length);
    while (drawn < count) {
      drawSlice();
      if (budget && performance.now() - start > budget) { break; }
    }
  }
  function indexOfLine(n) {
    var lo = 0, hi = numbers.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (numbers[mid] < n) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }
  var idle = window.requestIdleCallback || function (fn) {
    return setTimeout(function () { fn({timeRemaining: function () { return 4; }}); }, 0);
  };
  function rest(deadline) {
    drawThrough(numbers.length, Math.max(1, Math.min(4, deadline.timeRemaining())));
    if (drawn < numbers.length) { idle(rest); }
  }
  var wanted = /^#L(\d+)$/.exec(window.location.hash);
  drawThrough(Math.max(1, wanted ? indexOfLine(Number(wanted[1])) + 50 : 0));
  if (wanted) {
    var target = document.getElementById("L" + wanted[1]);
    if (target) { target.scrollIntoView(); }
  }
  window.__covgapReady = performance.now();
  if (drawn < numbers.length) {
    view.appendChild(sentinel);
    if (window.IntersectionObserver) {
      watcher = new IntersectionObserver(function (entries) {
        if (drawn < numbers.length && entries[entries.length - 1].isIntersecting) {
          drawThrough(drawn + SLICE);
          if (watcher) { watcher.unobserve(sentinel); watcher.observe(sentinel); }  // still near: again
        }
      }, {rootMargin: "1500px 0px"});
      watcher.observe(sentinel);
    }
    idle(rest);
  } else { finished(); }

  var pos = -1;
  function go(delta) {
    if (!blocks.length) { return; }
    pos = pos < 0 ? (delta > 0 ? 0 : blocks.length - 1) : (pos + delta + blocks.length) % blocks.length;
    drawThrough(blocks[pos] + 50);
    window.location.hash = "L" + numbers[blocks[pos]];
    posLabel.textContent = "block " + (pos + 1) + " of " + blocks.length;
  }
  next.addEventListener("click", function () { go(1); });
  prev.addEventListener("click", function () { go(-1); });
  document.addEventListener("keydown", function (e) {
    if (e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA")) { return; }
    if (e.key === "n") { go(1); } else if (e.key === "p") { go(-1); }
  });
  window.addEventListener("hashchange", function () {
    var m = /^#L(\d+)$/.exec(window.location.hash);
    if (m && !document.getElementById("L" + m[1])) {
      drawThrough(indexOfLine(Number(m[1])) + 50);
      var t = document.getElementById("L" + m[1]);
      if (t) { t.scrollIntoView(); }
    }
  });
})();
