/* The practice search page (templates/search/practice_search.html). The page
   works without this file; with it:
   - ticking a filter or changing the sort submits the form at once (not a
     result's "Compare" checkbox: that one belongs to the compare form);
   - after a submission reloads the page, keyboard focus is back on the control
     the user touched (by id, through sessionStorage), inside the filters
     disclosure opened if need be;
   - on wide screens the filters disclosure starts open;
   - the search box offers suggestions from /api/practices/suggest/. */
(function () {
  "use strict";

  var FOCUS_KEY = "practice-search:focus";
  var WIDE = "(min-width: 56em)";
  var form = document.getElementById("practice-search-form");
  if (!form) return;
  var filters = document.getElementById("search-filters");

  function remember(element) {
    if (!element || !element.id || !form.contains(element)) return;
    try {
      sessionStorage.setItem(FOCUS_KEY, JSON.stringify({ path: location.pathname, id: element.id }));
    } catch (error) { /* storage refused: focus is not restored */ }
  }

  function restore() {
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(FOCUS_KEY) || "null");
      sessionStorage.removeItem(FOCUS_KEY);
    } catch (error) { return; }
    if (!saved || saved.path !== location.pathname) return;
    var element = document.getElementById(saved.id);
    if (!element) return;
    if (filters && filters.contains(element)) filters.open = true;
    element.focus();
  }

  if (filters && window.matchMedia && window.matchMedia(WIDE).matches) filters.open = true;
  restore();

  form.addEventListener("change", function (event) {
    // The results' "Compare" checkboxes sit inside this form but belong to
    // the compare form (their `form` attribute): ticking one submits nothing.
    if (event.target.form !== form) return;
    if (event.target.matches("input[type=checkbox], select[name=sort]")) {
      remember(event.target);
      form.submit();
    }
  });
  form.addEventListener("submit", function () {
    remember(document.activeElement);
  });

  var box = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  var timer;
  if (!box || !list) return;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (box.value.length < 2) return;
      fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(box.value))
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.suggestions.map(function (text) {
            var option = document.createElement("option");
            option.value = text;
            return option;
          }));
        })
        .catch(function () { /* no suggestions */ });
    }, 200);
  });
})();
