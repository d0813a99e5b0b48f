// Working hours: "Add a range" and "Remove" act in the page without a round trip. The same
// buttons submit the form to the server when this script does not run.
(function () {
  "use strict";
  var form = document.querySelector("[data-hours-form]");
  var template = form && form.querySelector("[data-hours-template]");
  if (!template) { return; }
  var added = 0;

  function addRange(day) {
    var row = template.content.firstElementChild.cloneNode(true);
    added += 1;
    row.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace(/-new$/, "-added" + added); });
    row.querySelectorAll("label[for]").forEach(function (el) {
      el.htmlFor = el.htmlFor.replace(/-new$/, "-added" + added);
    });
    row.querySelector("[data-hours-weekday]").value = day.getAttribute("data-hours-day");
    day.querySelector("[data-hours-ranges]").appendChild(row);
    row.querySelector("input[type=time]").focus();
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-hours-add]");
    var remove = event.target.closest("[data-hours-remove]");
    if (add) {
      event.preventDefault();
      addRange(add.closest("[data-hours-day]"));
    } else if (remove) {
      event.preventDefault();
      var day = remove.closest("[data-hours-day]");
      remove.closest("[data-hours-range]").remove();
      day.querySelector("[data-hours-add]").focus();
    }
  });
})();
