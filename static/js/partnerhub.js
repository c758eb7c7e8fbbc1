/* Partnerhub's few page behaviours, declared with data attributes (no inline script: the
   Content-Security-Policy allows scripts from this site only).
     <form data-confirm="Remove this member?">   asks before submitting
     <select data-autosubmit>                    submits its form when changed
     <input data-select-on-click>                selects its text when clicked
     <button data-copy="text">                   copies the text to the clipboard */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var input = event.target.closest("[data-select-on-click]");
    if (input) {
      input.select();
    }
    var button = event.target.closest("[data-copy]");
    if (button && navigator.clipboard) {
      navigator.clipboard.writeText(button.getAttribute("data-copy"));
    }
  });
})();
