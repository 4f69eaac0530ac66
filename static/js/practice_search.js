// The practice search page (templates/search/practice_search.html): submit
// the form when a facet checkbox or the sort changes, and offer suggestions
// for the text box from /api/practices/suggest/. The page works without it.
(function () {
  var form = document.getElementById("practice-search-form");
  if (!form) return;
  form.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox], select[name=sort]")) form.submit();
  });
  var box = document.getElementById("search-q"), list = document.getElementById("search-suggestions"), timer;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (box.value.length < 2) return;
      fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(box.value))
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.suggestions.map(function (s) {
            var o = document.createElement("option"); o.value = s; return o;
          }));
        }).catch(function () {});
    }, 200);
  });
})();
