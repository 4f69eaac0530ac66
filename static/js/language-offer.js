// Offers the page in the reader's browser language, when the site has it and
// the reader has not chosen a language yet (the switcher remembers a choice
// in the "sce_language" cookie). The offer is written in the offered
// language; the page stays as it is until the reader follows the link.
(function () {
  "use strict";
  function chosen() {
    return document.cookie.split(";").some(function (part) {
      return part.trim().indexOf("sce_language=") === 0;
    });
  }
  function offer() {
    var box = document.getElementById("language-offer");
    if (!box || chosen()) return;
    var current = document.documentElement.lang;
    var links = {};
    document.querySelectorAll(".language-switcher a[hreflang]").forEach(function (link) {
      links[link.getAttribute("hreflang")] = link;
    });
    var wanted = (navigator.languages || [navigator.language || ""]).map(function (code) {
      return String(code).toLowerCase().split("-")[0];
    });
    for (var i = 0; i < wanted.length; i++) {
      var code = wanted[i];
      if (code === current) return; // the reader reads this page's language
      var link = links[code];
      if (link) {
        var text = document.createElement("span");
        text.textContent = link.dataset.offer + " ";
        text.lang = code;
        var go = document.createElement("a");
        go.href = link.href;
        go.lang = code;
        go.hreflang = code;
        go.textContent = link.dataset.offerLink;
        box.appendChild(text);
        box.appendChild(go);
        box.hidden = false;
        return;
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", offer);
  } else {
    offer();
  }
})();
