(function () {
  var KEY = "sitthi-report-lang", root = document.documentElement, button = document.getElementById("lang-switch");
  var asked = /(?:^|[?#&])lang=(th|en)\b/.exec(location.search + "&" + location.hash.slice(1));
  function saved() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function remember(lang) { try { localStorage.setItem(KEY, lang); } catch (e) { /* storage off: not kept */ } }
  function show(lang) { root.setAttribute("data-lang", lang); root.lang = lang; }
  show(asked ? asked[1] : saved() === "en" ? "en" : "th");
  button.hidden = false;
  button.addEventListener("click", function () {
    var lang = root.getAttribute("data-lang") === "th" ? "en" : "th";
    show(lang);
    remember(lang);
  });
})();
