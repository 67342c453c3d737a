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

  /* ---- index: instant search and filters ------------------------------------------------- */
  var table = document.getElementById("event-table");
  if (!table) { return; }
  var input = document.getElementById("q");
  var form = document.getElementById("finder");
  var count = document.getElementById("count");
  var empty = document.getElementById("empty");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var total = table.tBodies[0].rows.length;
  var items = Array.prototype.map.call(table.tBodies[0].rows, function (tr) {
    var cell = tr.cells[0];
    return { tr: tr, text: (tr.textContent || "").toLowerCase(), fields: [], lfields: [], hits: cell.querySelector(".hits") };
  });
  var loaded = false;
  var loading = false;

  function loadData(then) {
    if (loaded) { if (then) { then(); } return; }
    if (loading) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + "assets/search-data.js";
    s.async = true;
    s.onload = function () {
      var data = window.EEB_SEARCH;
      if (data && data.events) {
        data.events.forEach(function (ev, i) {
          var it = items[i];
          if (!it) { return; }
          it.text += " " + String(ev[0]).toLowerCase();
          it.fields = ev[1].map(function (fi) { return data.fields[fi]; });
          it.lfields = it.fields.map(function (f) { return f.toLowerCase(); });
        });
      }
      loaded = true;
      apply();
    };
    s.onerror = function () { loading = false; };
    document.head.appendChild(s);
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  function apply() {
    var q = (input.value || "").trim().toLowerCase();
    var tokens = q ? q.split(/\s+/) : [];
    var filters = selects.map(function (s) { return [s.getAttribute("data-filter"), s.value]; }).filter(function (f) { return f[1]; });
    var shown = 0;
    items.forEach(function (it) {
      var ok = true;
      for (var i = 0; i < filters.length && ok; i++) {
        if (it.tr.getAttribute("data-" + filters[i][0]) !== filters[i][1]) { ok = false; }
      }
      var matched = [];
      for (var t = 0; t < tokens.length && ok; t++) {
        var tok = tokens[t];
        var inFields = false;
        for (var f = 0; f < it.lfields.length; f++) {
          if (it.lfields[f].indexOf(tok) !== -1) {
            inFields = true;
            if (matched.indexOf(it.fields[f]) === -1) { matched.push(it.fields[f]); }
          }
        }
        if (!inFields && it.text.indexOf(tok) === -1) { ok = false; }
      }
      it.tr.hidden = !ok;
      if (ok) { shown++; }
      if (it.hits) {
        if (ok && matched.length) {
          it.hits.textContent = "";
          var label = document.createElement("span");
          label.className = "muted";
          label.textContent = "Fields: ";
          it.hits.appendChild(label);
          matched.slice(0, 6).forEach(function (name, k) {
            if (k) { it.hits.appendChild(document.createTextNode(" ")); }
            var c = document.createElement("code");
            c.textContent = name;
            it.hits.appendChild(c);
          });
          if (matched.length > 6) { it.hits.appendChild(document.createTextNode(" +" + (matched.length - 6))); }
          it.hits.hidden = false;
        } else {
          it.hits.hidden = true;
        }
      }
    });
    count.textContent = (shown === total ? fmt(total) + " events" : fmt(shown) + " of " + fmt(total) + " events") + (tokens.length && !loaded ? " (loading field names…)" : "");
    empty.hidden = shown !== 0;
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
