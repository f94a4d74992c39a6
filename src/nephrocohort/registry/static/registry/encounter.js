// The unit list of a lab row follows the chosen test: only the units that test accepts,
// the analysis unit first and chosen. Without JavaScript every unit is listed and the
// server refuses a unit the test does not have, as it always does.
(function () {
  "use strict";
  function narrow(row, units, keepChoice) {
    var test = row.querySelector("select[name$='-test']");
    var unit = row.querySelector("select[name$='-unit']");
    if (!test || !unit) { return; }
    if (!unit.dataset.all) { unit.dataset.all = JSON.stringify(Array.from(unit.options).map(function (o) { return o.value; })); }
    var allowed = units[test.value] || JSON.parse(unit.dataset.all).filter(Boolean);
    var current = unit.value;
    unit.innerHTML = "";
    allowed.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      unit.appendChild(option);
    });
    unit.value = keepChoice && allowed.indexOf(current) >= 0 ? current : allowed[0] || "";
  }
  // A grade ("2+") is typed on a text keyboard, a number on the decimal one.
  function keyboard(row, isText) {
    var value = row.querySelector("input[name$='-value']");
    if (value) { value.setAttribute("inputmode", isText ? "text" : "decimal"); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("encounter-form");
    if (!form) { return; }
    var units = JSON.parse(form.dataset.units || "{}");
    var textTests = JSON.parse(form.dataset.textTests || "[]");
    form.querySelectorAll("tr.lab-row").forEach(function (row) {
      var test = row.querySelector("select[name$='-test']");
      function follow(keepChoice) {
        narrow(row, units, keepChoice);
        keyboard(row, textTests.indexOf(test.value) >= 0);
      }
      follow(true);
      test.addEventListener("change", function () { follow(false); });
    });
  });
})();
