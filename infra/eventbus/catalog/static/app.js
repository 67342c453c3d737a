/* VA Event Catalog: search and filters on the index, copy buttons and "fill in for" selectors on event pages.
   Plain JavaScript, no libraries, no network: the search data is a local script added with a <script> tag,
   so everything works from file:// as well as from a static host. Untrusted text is only ever set with textContent. */
(function () {
  "use strict";

  var root = document.body.getAttribute("data-root") || "";

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  /* ---- copy buttons on code blocks ---------------------------------------------------- */
  function copyText(text, done) {
    function fallback() {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "sr-only";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  each(document.querySelectorAll("pre[data-copy]"), function (pre) {
    var head = document.createElement("div");
    head.className = "code-head";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "copy";
    btn.textContent = "Copy";
    btn.setAttribute("aria-label", "Copy " + (pre.getAttribute("data-copy") || "code"));
    btn.addEventListener("click", function () {
      copyText(pre.textContent.replace(/\s+$/, "") + "\n", function (ok) {
        btn.textContent = ok ? "Copied" : "Select and copy";
        setTimeout(function () { btn.textContent = "Copy"; }, 1600);
      });
    });
    head.appendChild(btn);
    pre.parentNode.insertBefore(head, pre);
  });

  /* ---- boxes that scroll sideways (wide tables, long code lines, the map) get keyboard access ---- */
  function labelOf(el) {
    var cap = el.querySelector("caption");
    if (cap) { return cap.textContent.trim(); }
    if (el.tagName === "PRE") { return (el.getAttribute("data-copy") || "Code") + " (scrollable)"; }
    var t = el.querySelector("svg title");
    return t ? t.textContent : "Scrollable content";
  }
  function markScrollable() {
    each(document.querySelectorAll(".table-wrap, pre, .diagram-wrap"), function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", labelOf(el));
        el.setAttribute("data-scrollable", "");
      } else if (!scrolls && el.hasAttribute("data-scrollable")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
        el.removeAttribute("data-scrollable");
      }
    });
  }
  markScrollable();
  var resizeTimer = null;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(markScrollable, 150); });
  each(document.querySelectorAll("details"), function (d) { d.addEventListener("toggle", markScrollable); });

  /* ---- "fill in for <application>" selectors on event pages ------------------------------ */
  each(document.querySelectorAll("select[data-fill]"), function (sel) {
    var scope = document.getElementById(sel.getAttribute("data-fill"));
    if (!scope) { return; }
    sel.addEventListener("change", function () {
      var opt = sel.options[sel.selectedIndex];
      each(scope.querySelectorAll("span[data-v]"), function (span) {
        var v = opt.getAttribute("data-" + span.getAttribute("data-v"));
        if (v !== null) { span.textContent = v; }
      });
    });
  });

  /* ---- tabs (connect snippets by language): without script every panel shows ------------------ */
  each(document.querySelectorAll("[data-tabs]"), function (box) {
    var list = box.querySelector("[role=tablist]");
    if (!list) { return; }
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) { panel.hidden = !on; }
      });
      if (focus) { tab.focus(); }
      markScrollable();
    }
    tabs.forEach(function (t, i) {
      t.addEventListener("click", function () { select(t, false); });
      t.addEventListener("keydown", function (ev) {
        var j = ev.key === "ArrowRight" ? i + 1 : ev.key === "ArrowLeft" ? i - 1 : ev.key === "Home" ? 0 : ev.key === "End" ? tabs.length - 1 : null;
        if (j === null) { return; }
        ev.preventDefault();
        select(tabs[(j + tabs.length) % tabs.length], true);
      });
    });
    each(box.querySelectorAll(".panel-title"), function (h) { h.classList.add("sr-only"); });
    list.hidden = false;
    select(tabs[0], false);
  });

  /* ---- field tables: collapse the fields nested under a record, array or map ---------------- */
  each(document.querySelectorAll("table.fields"), function (table) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function descendants(row) {
      var path = row.getAttribute("data-path"), out = [];
      rows.forEach(function (r) {
        var p = r.getAttribute("data-parent");
        while (p) {
          if (p === path) { out.push(r); break; }
          var owner = rows.filter(function (x) { return x.getAttribute("data-path") === p; })[0];
          p = owner ? owner.getAttribute("data-parent") : null;
        }
      });
      return out;
    }
    each(table.querySelectorAll("button.fold"), function (btn) {
      var row = btn.closest("tr");
      var kids = null;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        kids = kids || descendants(row);
        var open = btn.getAttribute("aria-expanded") === "true";
        btn.setAttribute("aria-expanded", open ? "false" : "true");
        btn.setAttribute("aria-label", btn.getAttribute("aria-label").replace(open ? /^Collapse/ : /^Expand/, open ? "Expand" : "Collapse"));
        kids.forEach(function (k) {
          k.hidden = open;
          var b = k.querySelector("button.fold");
          if (b && open === false) { b.setAttribute("aria-expanded", "true"); }
        });
      });
    });
  });
  /* a link to a field opens its row even when a parent was folded */
  function revealHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "TR") { el.hidden = false; el.classList.add("target"); }
  }
  window.addEventListener("hashchange", revealHash);
  revealHash();

  /* ---- a list's filter box: the rows holding every word typed ------------------------------ */
  each(document.querySelectorAll("[data-table-filter]"), function (box) {
    var table = document.getElementById(box.getAttribute("data-table-filter"));
    var input = box.querySelector("input");
    var count = box.querySelector(".result-count");
    if (!table || !table.tBodies.length || !input || !count) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase().replace(/\s+/g, " "); });
    var noun = box.getAttribute("data-noun") || "rows";
    var total = rows.length.toLocaleString("en-US");
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
        r.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = (words.length ? shown.toLocaleString("en-US") + " of " : "") + total + " " + noun;
    });
  });

  /* ---- bus map: highlight by name, zoom --------------------------------------------------- */
  each(document.querySelectorAll("[data-map-tools]"), function (tools) {
    var wrap = tools.nextElementSibling;
    var svg = wrap && wrap.querySelector("svg");
    if (!svg) { return; }
    tools.hidden = false;
    var baseW = parseFloat(svg.getAttribute("width")) || svg.viewBox.baseVal.width;
    var baseH = parseFloat(svg.getAttribute("height")) || svg.viewBox.baseVal.height;
    var scale = 1;
    function zoom(f) {
      scale = f === null ? 1 : Math.min(4, Math.max(0.25, scale * f));
      svg.style.maxWidth = scale === 1 && f === null ? "" : "none";
      svg.setAttribute("width", String(Math.round(baseW * scale)));
      svg.setAttribute("height", String(Math.round(baseH * scale)));
      markScrollable();
    }
    each(tools.querySelectorAll("[data-zoom]"), function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        zoom(z === "in" ? 1.25 : z === "out" ? 0.8 : null);
      });
    });
    var nodes = Array.prototype.slice.call(svg.querySelectorAll("g[data-id]"));
    var edges = Array.prototype.slice.call(svg.querySelectorAll("path[data-a]"));
    var input = tools.querySelector("input");
    var status = tools.querySelector("[role=status]");
    var timer = null;
    function highlight() {
      var q = (input.value || "").trim().toLowerCase();
      svg.classList.toggle("dg-filtering", !!q);
      if (!q) { nodes.concat(edges).forEach(function (el) { el.classList.remove("dg-on"); }); status.textContent = ""; return; }
      var hit = {};
      var n = 0;
      nodes.forEach(function (g) { if ((g.getAttribute("data-text") || "").indexOf(q) !== -1) { hit[g.getAttribute("data-id")] = true; n++; } });
      var near = {};
      edges.forEach(function (p) {
        var a = p.getAttribute("data-a"), b = p.getAttribute("data-b");
        var on = !!(hit[a] || hit[b]);
        p.classList.toggle("dg-on", on);
        if (on) { near[a] = true; near[b] = true; }
      });
      nodes.forEach(function (g) { var id = g.getAttribute("data-id"); g.classList.toggle("dg-on", !!(hit[id] || near[id])); });
      status.textContent = n + " match" + (n === 1 ? "" : "es");
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(highlight, 60); });
  });

  /* ---- index: instant, ranked search and filters ------------------------------------------ */
  var table = document.getElementById("event-table");
  if (!table) { return; }
  var input = document.getElementById("q");
  var form = document.getElementById("finder");
  var count = document.getElementById("count");
  var empty = document.getElementById("empty");
  var tbody = table.tBodies[0];
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var total = tbody.rows.length;
  var byRef = {};
  var items = Array.prototype.map.call(tbody.rows, function (tr, i) {
    var cell = tr.cells[0];
    var name = ((cell.querySelector("a.ev") || cell).textContent + " " + tr.getAttribute("data-ref")).toLowerCase();
    var sum = cell.querySelector(".sum");
    var it = { tr: tr, order: i, name: name, summary: sum ? sum.textContent.toLowerCase() : "",
               meta: (tr.getAttribute("data-d") + " " + (tr.cells[2] ? tr.cells[2].textContent : "")).toLowerCase(),
               prose: "", fields: [], lfields: [], hits: cell.querySelector(".hits") };
    byRef[tr.getAttribute("data-ref")] = it;
    return it;
  });
  var loaded = false;
  var loading = false;
  var searchSrc = document.body.getAttribute("data-search");

  function loadData() {
    if (loaded || loading || !searchSrc) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + searchSrc;
    s.async = true;
    s.onload = function () {
      var data = window.EEB_SEARCH;
      if (data && data.events) {
        /* keyed by event ref: a row only ever gets its own event's data */
        data.events.forEach(function (ev) {
          var it = byRef[ev[0]];
          if (!it) { return; }
          it.fields = ev[1].map(function (fi) { return data.fields[fi]; });
          it.lfields = it.fields.map(function (f) { return f.toLowerCase(); });
          it.meta += " " + String(ev[2]).toLowerCase();
          it.prose = String(ev[3]).toLowerCase();
        });
      }
      loaded = true;
      apply();
    };
    s.onerror = function () { loading = false; };
    document.head.appendChild(s);
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  /* score of one word in one event: name 100, field name 90 (exact) / 80, summary 40, description or purpose 20,
     owner, tags, topics 10; 0 = no match */
  function score(it, tok, matched) {
    var best = 0;
    for (var f = 0; f < it.lfields.length; f++) {
      var lf = it.lfields[f];
      var i = lf.indexOf(tok);
      if (i !== -1) {
        var s = (lf === tok || lf.slice(lf.lastIndexOf(".") + 1) === tok) ? 90 : 80;
        if (s > best) { best = s; }
        if (matched.indexOf(it.fields[f]) === -1) { matched.push(it.fields[f]); }
      }
    }
    if (it.name.indexOf(tok) !== -1) { best = Math.max(best, 100); }
    if (!best && it.summary.indexOf(tok) !== -1) { best = 40; }
    if (!best && it.prose.indexOf(tok) !== -1) { best = 20; }
    if (!best && it.meta.indexOf(tok) !== -1) { best = 10; }
    return best;
  }

  function apply() {
    var q = (input.value || "").trim().toLowerCase();
    var tokens = q ? q.split(/\s+/) : [];
    var filters = selects.map(function (s) { return [s.getAttribute("data-filter"), s.value]; }).filter(function (f) { return f[1]; });
    var shown = [];
    items.forEach(function (it) {
      var ok = true;
      for (var i = 0; i < filters.length && ok; i++) {
        if (it.tr.getAttribute("data-" + filters[i][0]) !== filters[i][1]) { ok = false; }
      }
      var matched = [];
      var total = 0;
      for (var t = 0; t < tokens.length && ok; t++) {
        var s = score(it, tokens[t], matched);
        if (!s) { ok = false; }
        total += s;
      }
      it.score = total;
      it.tr.hidden = !ok;
      if (ok) { shown.push(it); }
      if (it.hits) {
        if (ok && matched.length) {
          it.hits.textContent = "";
          var label = document.createElement("span");
          label.className = "muted";
          label.textContent = "Fields: ";
          it.hits.appendChild(label);
          var href = it.tr.querySelector("a.ev").getAttribute("href");
          matched.slice(0, 6).forEach(function (name, k) {
            if (k) { it.hits.appendChild(document.createTextNode(" ")); }
            var a = document.createElement("a");
            a.href = href + "#value-f-" + name.replace(/\[\]/g, "--").replace(/\{\}/g, "~").replace(/[^A-Za-z0-9_.~-]+/g, "-");
            var c = document.createElement("code");
            c.textContent = name;
            a.appendChild(c);
            it.hits.appendChild(a);
          });
          if (matched.length > 6) { it.hits.appendChild(document.createTextNode(" +" + (matched.length - 6))); }
          it.hits.hidden = false;
        } else {
          it.hits.hidden = true;
        }
      }
    });
    /* ranked: best score first, then the table's order; no query = the table's order */
    var ordered = items.slice().sort(function (a, b) { return tokens.length ? (b.score - a.score) || (a.order - b.order) : a.order - b.order; });
    var frag = document.createDocumentFragment();
    ordered.forEach(function (it) { frag.appendChild(it.tr); });
    tbody.appendChild(frag);
    count.textContent = (shown.length === total ? fmt(total) + " events" : fmt(shown.length) + " of " + fmt(total) + " events") + (tokens.length && !loaded ? " (loading field names…)" : "");
    empty.hidden = shown.length !== 0;
    writeHash(q, filters);
  }

  var names = { d: "domain", o: "owner", l: "lifecycle", c: "classification" };

  function writeHash(q, filters) {
    var parts = [];
    if (q) { parts.push("q=" + encodeURIComponent(input.value.trim())); }
    filters.forEach(function (f) { parts.push(names[f[0]] + "=" + encodeURIComponent(f[1])); });
    var h = parts.length ? "#" + parts.join("&") : "";
    if (h !== location.hash && !(h === "" && location.hash === "#")) {
      try { history.replaceState(null, "", h || location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
    }
  }

  function readHash() {
    var h = location.hash.replace(/^#/, "");
    if (!h) { return; }
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i < 0) { return; }
      var k = kv.slice(0, i);
      var v;
      try { v = decodeURIComponent(kv.slice(i + 1)); } catch (e) { return; }
      if (k === "q") { input.value = v; return; }
      selects.forEach(function (s) {
        if (names[s.getAttribute("data-filter")] === k) {
          for (var o = 0; o < s.options.length; o++) { if (s.options[o].value === v) { s.selectedIndex = o; } }
        }
      });
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    if (!loaded) { loadData(); }
    clearTimeout(timer);
    timer = setTimeout(apply, items.length > 3000 ? 120 : 30);
  });
  input.addEventListener("focus", function () { loadData(); });
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== input && !/^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      ev.preventDefault();
      input.focus();
    }
  });

  readHash();
  if (location.hash.length > 1) { apply(); }
  /* the search data is not needed to show the page: fetch it once the page is up */
  if (document.readyState === "complete") { setTimeout(loadData, 0); } else { window.addEventListener("load", function () { setTimeout(loadData, 0); }); }
})();
