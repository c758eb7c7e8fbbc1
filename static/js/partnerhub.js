/* Partnerhub's few page behaviours, declared with data attributes (no inline script: the
   Content-Security-Policy allows scripts from this site only).
     <form data-confirm="Remove this member?">   asks before submitting
     <select data-autosubmit>                    submits its form when changed
     <input data-select-on-click>                selects its text when clicked
     <button data-copy="text">                   copies the text to the clipboard
     <span data-picker>                          a partner picker (identity/picker.py): typing clears the
                                                 picked id; a click on a match fills the text and the id */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("input", function (event) {
    var picker = event.target.closest("[data-picker-text]");
    if (picker) {
      picker.closest("[data-picker]").querySelector("[data-picker-id]").value = "";
    }
  });
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
    var pick = event.target.closest("[data-pick]");
    var picker = pick && pick.closest("[data-picker]");
    if (picker) {
      picker.querySelector("[data-picker-text]").value = pick.getAttribute("data-pick-label");
      picker.querySelector("[data-picker-id]").value = pick.getAttribute("data-pick");
      pick.closest("ul").innerHTML = "";
    }
  });
})();
