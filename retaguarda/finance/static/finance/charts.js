// Finance charts (Chart.js, served from the package): the cash flow (bars in and out, the balance line)
// and the income statement by month. Data comes from <script type="application/json"> blocks.
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function numbers(values) {
    return values.map(function (v) { return parseFloat(v); });
  }
  var money = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
  function options() {
    return {
      responsive: true,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { ticks: { callback: function (v) { return money.format(v); } } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + money.format(c.parsed.y); } } } }
    };
  }
  function cashflow() {
    var d = data("cashflow-data"), canvas = document.getElementById("cashflow-chart");
    if (!d || !canvas || !window.Chart) { return; }
    var projected = function (ctx) { return ctx.dataIndex >= d.projected_from; };
    new window.Chart(canvas, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "line", label: canvas.dataset.balanceLabel || "Saldo", data: numbers(d.balance), borderColor: "#1f5f4a", pointRadius: 0, tension: 0.2,
            segment: { borderDash: function (ctx) { return ctx.p1DataIndex > d.projected_from ? [6, 4] : undefined; } } },
          { type: "bar", label: canvas.dataset.inLabel || "Entradas", data: numbers(d.inflow), backgroundColor: function (ctx) { return projected(ctx) ? "#9fd3b8" : "#2f7d62"; } },
          { type: "bar", label: canvas.dataset.outLabel || "Saídas", data: numbers(d.outflow), backgroundColor: function (ctx) { return projected(ctx) ? "#efb4ae" : "#b3261e"; } }
        ]
      },
      options: options()
    });
  }
  function dre() {
    var d = data("dre-data"), canvas = document.getElementById("dre-chart");
    if (!d || !canvas || !window.Chart) { return; }
    var colours = ["#2f7d62", "#7aa6c2", "#1d2421"];
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: d.labels, datasets: d.series.map(function (s, i) { return { label: s.label, data: numbers(s.values), backgroundColor: colours[i % colours.length] }; }) },
      options: options()
    });
  }
  document.addEventListener("DOMContentLoaded", function () { cashflow(); dre(); });
})();
