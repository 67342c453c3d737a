// Served by `eventbus catalog serve` beside the catalog's pages (never written into the catalog): reloads the page
// once a build has changed it. It asks the server to answer when the build it last saw is no longer the latest
// (a long poll) with "reload" when this page's file is no longer the version it was sent as (the server put that
// version on this script's tag), and retries every 2 s while the server is unreachable.
(function () {
  "use strict";
  var tag = document.currentScript;
  var version = tag ? tag.getAttribute("data-version") || "" : "";
  var url = "/.eventbus-serve/build";
  var seen = null;
  function ask() {
    var query = seen === null ? "" :
      "?after=" + encodeURIComponent(seen) + "&page=" + encodeURIComponent(window.location.pathname) +
      "&version=" + encodeURIComponent(version);
    fetch(url + query, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (answer) {
        if (answer === "reload") {
          window.location.reload();
          return;
        }
        seen = answer;
        ask();
      })
      .catch(function () { window.setTimeout(ask, 2000); });
  }
  ask();
})();
