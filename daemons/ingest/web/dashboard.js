// dashboard.js - the dashboard's own script, served at /static/dashboard.js
// (the Content-Security-Policy allows no inline script). Pages work without
// it; with it they add:
//   [data-live="/live"]  figures that refresh every second: each child with
//                        data-figure="NAME" shows the answer's NAME, and with
//                        data-rate="NAME" NAME's change per second, and
//                        data-providers="NAME" a badge per member of the
//                        answer's NAME object (green when true, red when not)
//   canvas[data-chart]   a Chart.js chart whose configuration is the attribute's
//                        JSON (chart.min.js is loaded only on such pages)
"use strict";

(function () {
  function loadChartJs(then) {
    if (window.Chart) return then();
    const s = document.createElement("script");
    s.src = "/static/chart.min.js";
    s.onload = then;
    document.head.appendChild(s);
  }

  function charts() {
    const canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length) return;
    loadChartJs(function () {
      canvases.forEach(function (c) {
        const config = JSON.parse(c.dataset.chart);
        config.options = Object.assign({ animation: false, maintainAspectRatio: false },
                                       config.options || {});
        c.chart = new window.Chart(c, config);
      });
    });
  }

  function live(el) {
    let last = null;
    async function tick() {
      try {
        const r = await fetch(el.dataset.live, { credentials: "same-origin",
                                                 headers: { Accept: "application/json" } });
        if (r.ok) {
          const now = await r.json();
          el.querySelectorAll("[data-figure]").forEach(function (f) {
            const v = now[f.dataset.figure];
            if (v !== undefined) f.textContent = String(v);
          });
          el.querySelectorAll("[data-rate]").forEach(function (f) {
            const name = f.dataset.rate;
            if (last && now[name] !== undefined && now.at > last.at) {
              const rate = (now[name] - last[name]) * 1000 / (now.at - last.at);
              f.textContent = rate.toFixed(rate < 10 ? 1 : 0);
            }
          });
          el.querySelectorAll("[data-providers]").forEach(function (f) {
            const all = now[f.dataset.providers] || {};
            f.replaceChildren();
            Object.keys(all).sort().forEach(function (name) {
              const b = document.createElement("span");
              b.className = "badge me-1 " + (all[name] ? "text-bg-success" : "text-bg-danger");
              b.dataset.provider = name;
              b.dataset.healthy = String(all[name]);
              b.textContent = name;
              f.appendChild(b);
            });
          });
          last = now;
          el.dataset.updated = String(now.at);
        }
      } catch (e) {
        // The next tick tries again.
      }
      setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts();
    document.querySelectorAll("[data-live]").forEach(live);
  });
})();
