(function () {
  var root = document.documentElement, button = document.getElementById("lang-switch");
  var asked = /(?:^|[?#&])lang=(th|en)\b/.exec(location.search + "&" + location.hash.slice(1));
  function show(lang) { root.setAttribute("data-lang", lang); root.lang = lang; }
  show(asked ? asked[1] : "th");
  button.hidden = false;
  button.addEventListener("click", function () {
    show(root.getAttribute("data-lang") === "th" ? "en" : "th");
  });
})();
