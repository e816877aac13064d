// The window's application form: filter the policy list as the clerk types (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-policy-filter]");
  if (!box) { return; }
  box.addEventListener("input", function () {
    var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("[data-policy-group]").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll("[data-policy-option]").forEach(function (option) {
        var text = (option.getAttribute("data-search") || "").toLowerCase();
        var checked = option.querySelector("input").checked;
        var match = checked || words.every(function (w) { return text.indexOf(w) !== -1; });
        option.classList.toggle("d-none", !match);
        if (match) { shown += 1; }
      });
      group.classList.toggle("d-none", shown === 0);
    });
  });
  // Enter in the filter box must not submit the application.
  box.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
});
