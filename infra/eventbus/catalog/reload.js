// Served by `eventbus catalog serve` beside the catalog's pages (never written into the catalog): reloads the page
// once the catalog has been built again. It asks the server to answer when the build it last saw is no longer the
// latest (a long poll), and retries every 2 s while the server is unreachable.
(function () {
  "use strict";
  var url = "/.eventbus-serve/build";
  var seen = null;
  function ask() {
    fetch(seen === null ? url : url + "?after=" + encodeURIComponent(seen), { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (build) {
        if (seen !== null && build !== seen) {
          window.location.reload();
          return;
        }
        seen = build;
        ask();
      })
      .catch(function () { window.setTimeout(ask, 2000); });
  }
  ask();
})();
