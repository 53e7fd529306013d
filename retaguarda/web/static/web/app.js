// Small behaviours without inline scripts (the CSP forbids them): auto-submit selects and
// input masks for CPF/CNPJ (alphanumeric since July 2026), CEP, and barcode-scanner fields.
(function () {
  "use strict";
  function maskDocument(value) {
    var v = value.toUpperCase().replace(/[^0-9A-Z]/g, "").slice(0, 14);
    if (v.length <= 11 && /^[0-9]*$/.test(v)) {
      return v.replace(/^(\d{3})(\d)/, "$1.$2").replace(/^(\d{3})\.(\d{3})(\d)/, "$1.$2.$3").replace(/\.(\d{3})(\d)/, ".$1-$2");
    }
    return v.replace(/^(\w{2})(\w)/, "$1.$2").replace(/^(\w{2})\.(\w{3})(\w)/, "$1.$2.$3")
      .replace(/\.(\w{3})(\w)/, ".$1/$2").replace(/(\w{4})(\d{1,2})$/, "$1-$2");
  }
  function maskCep(value) {
    var v = value.replace(/\D/g, "").slice(0, 8);
    return v.length > 5 ? v.slice(0, 5) + "-" + v.slice(5) : v;
  }
  // What a CEP or CNPJ lookup found (parties' lookup note) goes into the fields still empty, at the moment
  // it arrives: a field the user typed in, even while the lookup ran, is never overwritten.
  function fillEmptyFields(note) {
    var form = note.closest("form");
    var groups;
    try { groups = JSON.parse(note.dataset.lookupFill); } catch (e) { return; }
    note.removeAttribute("data-lookup-fill");
    if (!form) { return; }
    Object.keys(groups).forEach(function (prefix) {
      var fields = groups[prefix];
      Object.keys(fields).forEach(function (name) {
        var value = fields[name];
        if (value && typeof value === "object") {  // a lookup widget: the code submitted and the text shown
          var code = form.elements[prefix + name];
          var text = form.elements[prefix + name + "_search"];
          if (code && text && !code.value && !text.value.trim()) { code.value = value.code; text.value = value.label; }
          return;
        }
        var input = form.elements[prefix + name];
        if (input && input.tagName && !input.value.trim() && value) { input.value = value; }
      });
    });
  }
  function bind(root) {
    root.querySelectorAll("[data-lookup-fill]").forEach(fillEmptyFields);
    root.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    root.querySelectorAll("input[data-mask=document]").forEach(function (el) {
      el.addEventListener("input", function () { el.value = maskDocument(el.value); });
    });
    root.querySelectorAll("input[data-mask=cep]").forEach(function (el) {
      el.addEventListener("input", function () { el.value = maskCep(el.value); });
    });
    root.querySelectorAll("a[data-history-back]").forEach(function (el) {
      el.addEventListener("click", function (ev) {
        if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
      });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (ev) { if (!window.confirm(el.dataset.confirm)) { ev.preventDefault(); } });
    });
  }
  // A lookup's pick fills its code at the click, not when the server answers: "Salvar" clicked
  // before the pick's answer arrives still sends the chosen code.
  document.addEventListener("click", function (ev) {
    var pick = ev.target.closest && ev.target.closest("button[data-pick-code]");
    if (!pick) { return; }
    var box = pick.closest(".autocomplete");
    if (!box) { return; }
    var code = box.querySelector("input[type=hidden]");
    var text = box.querySelector("input[type=text]");
    if (code) { code.value = pick.dataset.pickCode; }
    if (text) { text.value = pick.dataset.pickLabel || pick.textContent.trim(); }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { bind(ev.target); });
})();
