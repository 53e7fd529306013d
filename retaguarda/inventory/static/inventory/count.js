// Stock count page: a barcode reader types the code and Enter; after each read the field is
// cleared and focused again so the next read goes in. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  function refocus() {
    var input = document.getElementById("scan-code");
    if (input) { input.value = ""; input.focus(); }
  }
  document.addEventListener("htmx:afterRequest", function (ev) {
    if (ev.target && ev.target.id === "scan-form") { refocus(); }
  });
})();
