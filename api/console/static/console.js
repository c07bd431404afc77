// Same-origin, no framework: only the print button of the inzage letter (inline handlers are blocked by the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var knop = document.getElementById("afdrukken");
  if (knop) {
    knop.addEventListener("click", function () { window.print(); });
  }
});
