// Behaviour of the pages, kept out of the HTML: the Content-Security-Policy allows no inline
// script or event handler attribute.
document.addEventListener("DOMContentLoaded", function () {
  // <select data-autosubmit> sends its form on change (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // The error summary of a form page takes the focus, so the keyboard and screen readers
  // start there.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
