// Dashboards (reports/dashboards.py): one JSON request fills the page — cards, the town tiles, charts
// (ECharts, SVG) and tables. No inline scripts (CSP); texts come from data-text-* attributes or the JSON.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function formatValue(value) {
    if (typeof value === "number") { return value.toLocaleString("zh-CN"); }
    if (typeof value === "string" && /^-?\d+\.\d{2}$/.test(value)) {
      return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    return value === null || value === undefined ? "—" : String(value);
  }

  function cell(value) {
    var td = el("td");
    if (value !== null && typeof value === "object") {
      var inner = value.href ? el("a", "", formatValue(value.text)) : el("span", "", formatValue(value.text));
      if (value.href) { inner.href = value.href; }
      if (value.tone) { inner.className = "text-" + value.tone + " fw-bold"; }
      td.appendChild(inner);
    } else {
      td.textContent = formatValue(value);
    }
    if (typeof value === "number" || (value && typeof value.text === "number")) { td.className = "text-end"; }
    return td;
  }

  function renderCards(root, cards, texts) {
    var box = root.querySelector("[data-dashboard-cards]");
    cards.forEach(function (card) {
      var col = el("div", "col-6 col-md-4 col-xl");
      var body = el("div", "card h-100" + (card.tone ? " border-" + card.tone : ""));
      body.setAttribute("data-card", card.key);
      var inner = el("div", "card-body");
      inner.appendChild(el("div", "small text-muted", card.label));
      var value = el("div", "fs-3 fw-bold" + (card.tone ? " text-" + card.tone : ""), formatValue(card.value));
      value.setAttribute("data-card-value", "");
      if (card.href) {
        var link = el("a", "text-reset text-decoration-none");
        link.href = card.href;
        link.appendChild(value);
        inner.appendChild(link);
      } else {
        inner.appendChild(value);
      }
      if (card.compare !== undefined) {
        var line = el("div", "small text-muted", (card.compare_label || texts.compare) + texts.colon + formatValue(card.compare));
        if (card.change) {
          var change = el("span", "ms-1 " + (card.change.charAt(0) === "-" ? "text-danger" : "text-success"), card.change);
          line.appendChild(change);
        }
        inner.appendChild(line);
      }
      body.appendChild(inner);
      col.appendChild(body);
      box.appendChild(col);
    });
  }

  function tileColour(percent) {
    if (percent === null || percent === undefined) { return "#e9ecef"; }
    if (percent >= 100) { return "#198754"; }
    if (percent >= 80) { return "#4caf7a"; }
    if (percent >= 50) { return "#f0ad4e"; }
    return "#dc3545";
  }

  function renderTiles(root, tiles, texts) {
    if (!tiles) { return; }
    var section = root.querySelector("[data-dashboard-tiles]");
    section.classList.remove("d-none");
    section.querySelector("[data-tiles-title]").textContent = tiles.title;
    section.querySelector("[data-tiles-statement]").textContent = tiles.statement || "";
    var grid = section.querySelector("[data-tiles-items]");
    grid.style.display = "grid";
    grid.style.gridTemplateColumns = "repeat(auto-fill, minmax(9rem, 1fr))";
    grid.style.gap = "0.5rem";
    tiles.items.forEach(function (item) {
      var tile = el("div", "rounded p-2");
      tile.setAttribute("data-tile", item.name);
      var colour = tileColour(item.percent);
      tile.style.background = colour;
      tile.style.color = item.percent === null || item.percent === undefined ? "#495057" : "#fff";
      tile.appendChild(el("div", "fw-bold", item.name));
      tile.appendChild(el("div", "fs-5", item.percent === null || item.percent === undefined ? texts.noTargets : item.percent + "%"));
      if (item.targets) {
        tile.appendChild(el("div", "small", texts.delivered + " " + item.delivered + " / " + texts.targets + " " +
          item.targets + (item.remaining ? texts.comma + texts.remaining + " " + item.remaining : "")));
      }
      grid.appendChild(tile);
    });
  }

  function chartOption(spec) {
    var pie = spec.kind === "pie";
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0 } };
    if (!spec.horizontal && spec.categories.length > 6) { categoryAxis.axisLabel.rotate = 30; }
    if (spec.horizontal) { categoryAxis.inverse = true; }
    var valueAxis = { type: "value" };
    var stacked = spec.series.some(function (s) { return s.stack; });
    return {
      tooltip: { trigger: pie ? "item" : "axis" },
      legend: spec.series.length > 1 || pie ? { bottom: 0, type: "scroll" } : undefined,
      grid: { left: 12, right: 24, top: 16, bottom: spec.series.length > 1 ? 40 : 16, containLabel: true },
      xAxis: pie ? undefined : (spec.horizontal ? valueAxis : categoryAxis),
      yAxis: pie ? undefined : (spec.horizontal ? categoryAxis : valueAxis),
      series: pie
        ? [{ type: "pie", name: spec.series[0] ? spec.series[0].name : "", radius: ["35%", "65%"],
             data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].data[i] }; }) }]
        : spec.series.map(function (s) {
          var kind = s.kind || (spec.kind === "line" ? "line" : "bar");
          return { type: kind, name: s.name, data: s.data, stack: s.stack || undefined,
                   label: { show: !stacked && kind === "bar" && spec.categories.length <= 12,
                            position: spec.horizontal ? "right" : "top",
                            formatter: function (p) { return p.value ? p.value.toLocaleString("zh-CN") : ""; } } };
        }),
    };
  }

  function renderCharts(root, charts, texts) {
    var box = root.querySelector("[data-dashboard-charts]");
    charts.forEach(function (spec) {
      var col = el("div", spec.wide ? "col-12 col-xl-6" : "col-12 col-md-6 col-xl-4");
      var card = el("section", "card h-100");
      card.appendChild(el("div", "card-header", spec.title));
      var body = el("div", "card-body");
      var empty = !spec.categories.length || spec.series.every(function (s) {
        return s.data.every(function (v) { return !v; });
      });
      if (empty || !window.echarts) {
        body.appendChild(el("p", "text-muted mb-0", texts.none));
      } else {
        var target = el("div");
        target.style.height = spec.height + "px";
        target.setAttribute("role", "img");
        target.setAttribute("aria-label", spec.title);
        target.setAttribute("data-chart-key", spec.key);
        body.appendChild(target);
        card.appendChild(body);
        col.appendChild(card);
        box.appendChild(col);
        var chart = window.echarts.init(target, null, { renderer: "svg" });
        chart.setOption(chartOption(spec));
        target.setAttribute("data-chart-ready", "true");
        window.addEventListener("resize", function () { chart.resize(); });
        return;
      }
      card.appendChild(body);
      col.appendChild(card);
      box.appendChild(col);
    });
  }

  function renderTables(root, tables, texts) {
    var box = root.querySelector("[data-dashboard-tables]");
    tables.forEach(function (spec) {
      var col = el("div", "col-12 col-xl-6");
      var card = el("section", "card h-100");
      card.setAttribute("data-table", spec.key);
      card.appendChild(el("div", "card-header", spec.title));
      var wrap = el("div", "table-responsive");
      var table = el("table", "table table-sm align-middle mb-0");
      var head = el("thead");
      var row = el("tr");
      spec.columns.forEach(function (c) { row.appendChild(el("th", "", c)); });
      head.appendChild(row);
      table.appendChild(head);
      var body = el("tbody");
      if (!spec.rows.length) {
        var emptyRow = el("tr");
        var td = el("td", "text-muted", spec.empty || texts.none);
        td.colSpan = spec.columns.length;
        emptyRow.appendChild(td);
        body.appendChild(emptyRow);
      }
      spec.rows.forEach(function (cells) {
        var tr = el("tr");
        cells.forEach(function (value) { tr.appendChild(cell(value)); });
        body.appendChild(tr);
      });
      table.appendChild(body);
      wrap.appendChild(table);
      card.appendChild(wrap);
      col.appendChild(card);
      box.appendChild(col);
    });
  }

  function load(root) {
    var status = root.querySelector("[data-dashboard-status]");
    var texts = {
      compare: root.getAttribute("data-text-compare"), none: root.getAttribute("data-text-none"),
      targets: root.getAttribute("data-text-targets"), delivered: root.getAttribute("data-text-delivered"),
      remaining: root.getAttribute("data-text-remaining"), noTargets: root.getAttribute("data-text-no-targets"),
      colon: root.getAttribute("data-text-colon") || "：", comma: root.getAttribute("data-text-comma") || "，",
    };
    fetch(root.getAttribute("data-dashboard-source"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.message || root.getAttribute("data-text-failed")); }
          return body;
        });
      })
      .then(function (data) {
        status.remove();
        renderCards(root, data.cards || [], texts);
        renderTiles(root, data.tiles, texts);
        renderCharts(root, data.charts || [], texts);
        renderTables(root, data.tables || [], texts);
        var generated = new Date(data.generated_at);
        root.querySelector("[data-dashboard-generated]").textContent =
          root.getAttribute("data-text-generated") + texts.colon +
          generated.toLocaleString(root.getAttribute("data-locale") === "en" ? "en-GB" : "zh-CN");
        root.setAttribute("data-dashboard-ready", "true");
      })
      .catch(function (error) {
        status.className = "alert alert-danger";
        status.textContent = error && error.message ? error.message : root.getAttribute("data-text-failed");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dashboard]").forEach(load);
  });
})();
