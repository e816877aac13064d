// OneDoor's small shared script. No inline scripts anywhere (CSP): behaviour hangs off data- attributes.
document.addEventListener("DOMContentLoaded", function () {
  // <button data-confirm="确定要……吗？"> asks before submitting.
  document.body.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
  // <a data-back> goes back a page when there is one (its href is the fallback).
  document.body.addEventListener("click", function (event) {
    var el = event.target.closest("[data-back]");
    if (el && window.history.length > 1) { event.preventDefault(); window.history.back(); }
  });
  // <select data-autosubmit> and <input data-autosubmit> submit their form on change.
  document.body.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) { event.target.form.requestSubmit(); }
  });
});
// htmx errors: show a readable message instead of failing silently.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
  }
  var status = event.detail.xhr.status;
  // A refused action (DomainError) answers with a fragment carrying its own Chinese message.
  var refused = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html")
    .querySelector("[data-testid=refused]");
  box.textContent = refused ? refused.textContent.trim() : status === 404 ? "没有找到，或者您无权查看。" :
    status === 403 ? "您没有权限执行此操作，或页面已过期，请刷新后重试。" : "操作失败，请稍后重试（" + status + "）。";
});
