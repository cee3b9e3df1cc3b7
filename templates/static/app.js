// Progressive touches; every page is complete without this script.
(function () {
  "use strict";
  // Filters apply as soon as a box is ticked.
  document.querySelectorAll("form.search input[type=checkbox], form.search select").forEach(function (control) {
    control.addEventListener("change", function () { control.form.submit(); });
  });
  // On narrow screens the filters start folded.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia("(max-width: 56rem)").matches) { filters.removeAttribute("open"); }
  // The offering form: the place matters only for in-person, hybrid and conference formats.
  var format = document.getElementById("input-format");
  var city = document.getElementById("field-location.city");
  if (format && city) {
    var place = city.closest("fieldset");
    var showPlace = function () {
      var needed = ["in_person", "hybrid", "conference"].indexOf(format.value) >= 0 || format.value === "";
      place.hidden = !needed;
    };
    format.addEventListener("change", showPlace);
    showPlace();
  }
  // Times of scheduled offerings, also in the reader's own time zone when it differs.
  var readerZone;
  try { readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  document.querySelectorAll("time[datetime][data-zone]").forEach(function (time) {
    var value = time.getAttribute("datetime");
    if (value.length <= 10) { return; }
    var zone = time.getAttribute("data-zone");
    if (!readerZone || zone === readerZone) { return; }
    var moment = new Date(value);
    if (isNaN(moment)) { return; }
    var text = new Intl.DateTimeFormat(undefined, {
      weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short"
    }).format(moment);
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " (your time: " + text + ")";
    time.after(note);
  });
})();
