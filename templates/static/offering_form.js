// The offering form's competency trees: a filter box that keeps only the competencies whose code
// and title contain every word typed (with the branches that lead to them) and opens the
// frameworks that have any. Without this script the box stays hidden and the whole trees work.
(function () {
  "use strict";
  var box = document.getElementById("competency-filter");
  if (!box) { return; }
  var count = document.getElementById("competency-filter-count");
  var frameworks = Array.prototype.slice.call(document.querySelectorAll("fieldset.framework"));
  // Whether each framework was open before a filter opened or closed it.
  var wasOpen = frameworks.map(function (fw) { return fw.querySelector("details").open; });
  box.closest(".tree-filter").hidden = false;
  // Enter in the filter box would send the form.
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });

  function contains(text, words) {
    return words.every(function (word) { return text.indexOf(word) >= 0; });
  }

  // Shows the items of one framework that match (deepest first, so a parent sees whether a
  // child is shown); returns how many match themselves.
  function filter(fw, words) {
    var matched = 0;
    var items = Array.prototype.slice.call(fw.querySelectorAll(".competency-tree li")).reverse();
    items.forEach(function (li) {
      var own = contains(li.querySelector("label").textContent.toLowerCase(), words);
      var child = li.querySelector(":scope > ul > li:not([hidden])") !== null;
      li.hidden = !(own || child);
      if (own) { matched += 1; }
    });
    return matched;
  }

  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var total = 0;
    frameworks.forEach(function (fw, i) {
      var details = fw.querySelector("details");
      var matched = filter(fw, words);
      total += matched;
      if (words.length === 0) {
        details.open = wasOpen[i] || fw.querySelector("input:checked") !== null;
        fw.hidden = false;
      } else {
        details.open = matched > 0;
        fw.hidden = matched === 0;
      }
    });
    count.textContent = words.length === 0 ? "" :
      total + (total === 1 ? " competency matches" : " competencies match");
  });
})();
