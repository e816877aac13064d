// The campaign dashboard's stacked bar (delivered / remaining / closed otherwise per town or village),
// in the manner of onedoor/charts.js: no inline script (CSP), the first figures in a json_script
// element named by data-chart-source, then a fetch of data-refresh-url every data-refresh-seconds.
(function () {
  var COLORS = ["#198754", "#dc3545", "#adb5bd"];

  function option(spec) {
    return {
      title: spec.title ? { text: spec.title, left: "center", textStyle: { fontSize: 14 } } : undefined,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      color: COLORS,
      grid: { left: 40, right: 16, top: spec.title ? 36 : 12, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: spec.categories,
               axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return { type: "bar", stack: "coverage", name: s.name, data: s.data, emphasis: { focus: "series" } };
      }),
    };
  }

  function render(el) {
    var source = document.getElementById(el.getAttribute("data-chart-source"));
    if (!source || !window.echarts) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(JSON.parse(source.textContent)));
    el.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    var url = el.getAttribute("data-refresh-url");
    var seconds = parseInt(el.getAttribute("data-refresh-seconds") || "30", 10);
    if (!url || !window.fetch) { return; }
    window.setInterval(function () {
      if (document.hidden) { return; }
      window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (spec) {
          if (!spec) { return; }
          chart.setOption(option(spec), { replaceMerge: ["series"] });
          el.setAttribute("data-chart-refreshed", String(Date.now()));
          var statement = document.querySelector("[data-testid=coverage-statement]");
          if (statement && spec.statement && !el.hasAttribute("data-keep-statement")) {
            statement.textContent = spec.statement;
          }
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-coverage-chart]").forEach(render);
  });
})();
