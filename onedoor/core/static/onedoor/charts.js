// Charts without inline scripts (CSP): <div data-chart="bar" data-chart-source="ID"></div> plus
// {{ data|json_script:"ID" }} holding {"title": "...", "categories": [...], "series": [{"name", "data"}]}.
// Pages that show charts add echarts.min.js and this file in their head block.
(function () {
  function render(el) {
    var source = document.getElementById(el.getAttribute("data-chart-source"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var kind = el.getAttribute("data-chart") || "bar";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      title: spec.title ? { text: spec.title, left: "center", textStyle: { fontSize: 14 } } : undefined,
      tooltip: { trigger: kind === "pie" ? "item" : "axis" },
      legend: spec.series.length > 1 ? { bottom: 0 } : undefined,
      grid: { left: 40, right: 16, top: spec.title ? 36 : 12, bottom: spec.series.length > 1 ? 48 : 28, containLabel: true },
      xAxis: kind === "pie" ? undefined : { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: kind === "pie" ? undefined : { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return kind === "pie"
          ? { type: "pie", name: s.name, radius: "60%", data: spec.categories.map(function (c, i) { return { name: c, value: s.data[i] }; }) }
          : { type: kind, name: s.name, data: s.data, label: { show: true, position: "top" } };
      }),
    });
    el.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(render);
  });
})();
