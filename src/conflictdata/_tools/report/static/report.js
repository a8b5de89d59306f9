(function () {
  "use strict";
  // The report's page script: draws each chart (Vega specs compiled in Python) to the width of
  // the page, shows a mark's tooltip, and a row's details on click. No eval: Vega runs its
  // expressions with its CSP-safe interpreter (ast: true), and all text goes in as textContent.
  var byId = function (id) { return document.getElementById(id); };
  var specs = JSON.parse(byId("cd-specs").textContent);
  var rows = JSON.parse(byId("cd-rows").textContent);
  var tip = byId("cd-tip"), panel = byId("cd-detail"), body = byId("cd-detail-body");
  var MIN_PLOT = 260;

  function fill(el, pairs) {
    var dl = document.createElement("dl");
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "") return;
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = p[0]; dd.textContent = String(p[1]);
      dl.appendChild(dt); dl.appendChild(dd);
    });
    el.replaceChildren(dl);
  }
  function show(id) {
    var row = Object.prototype.hasOwnProperty.call(rows, id) ? rows[id] : null;
    if (!row) return false;
    fill(body, row);
    panel.hidden = false;
    panel.dataset.id = id;
    return true;
  }
  function tooltip(handler, event, item, value) {
    if (value === null || value === undefined || value === "" || !event) { tip.hidden = true; return; }
    fill(tip, typeof value === "object" ? Object.keys(value).map(function (k) { return [k, value[k]]; })
                                        : [["", value]]);
    tip.hidden = false;
    var x = event.clientX + 14, y = event.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, event.clientX - w - 14);
    if (y + h > window.innerHeight - 4) y = Math.max(4, event.clientY - h - 14);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  byId("cd-detail-close").addEventListener("click", function () { panel.hidden = true; });
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-id]") : null;
    if (el) show(el.getAttribute("data-id"));
  });

  function meta(spec) {
    return (spec.usermeta && spec.usermeta.conflictdata) || {};
  }
  // The plot's width: what the chart's frame leaves after the labels left of the plot, then
  // corrected by what the drawn chart measures, so the chart fills its frame and no more.
  function plotWidth(el, spec) {
    return Math.max(MIN_PLOT, Math.floor(el.clientWidth - (meta(spec).left || 0) - 16));
  }
  function fit(name) {
    var entry = api.views[name];
    if (!entry || !meta(entry.spec).plotted) return Promise.resolve();
    var el = entry.el, view = entry.view;
    var svg = el.querySelector("svg");
    var excess = svg ? Math.ceil(svg.getBoundingClientRect().width) - el.clientWidth : 0;
    var want = Math.max(MIN_PLOT, view.width() - excess - 1);
    if (Math.abs(want - view.width()) < 1) return Promise.resolve();
    return view.width(want).runAsync();
  }

  var names = Object.keys(specs);
  var api = { views: {}, show: show, ready: 0, failed: 0, total: names.length, fit: fit };
  window.conflictdata = api;
  names.forEach(function (name) {
    var el = byId("chart-" + name), spec = specs[name];
    if (meta(spec).plotted) spec.width = plotWidth(el, spec);
    vegaEmbed(el, spec, {
      mode: "vega", renderer: "svg", actions: false, tooltip: tooltip, hover: true, ast: true
    }).then(function (result) {
      var view = result.view;
      view.addEventListener("click", function (event, item) {
        var d = item && item.datum;
        if (d && d.id) show(d.id);
      });
      api.views[name] = { view: view, el: el, spec: spec };
      return fit(name).then(function () {
        el.dataset.ready = "1";
        api.ready += 1;
      });
    }).catch(function (err) { api.failed += 1; console.error(err); });
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      Object.keys(api.views).forEach(function (name) {
        var entry = api.views[name];
        if (!meta(entry.spec).plotted) return;
        entry.view.width(plotWidth(entry.el, entry.spec)).runAsync().then(function () { return fit(name); });
      });
    }, 120);
  });
})();
