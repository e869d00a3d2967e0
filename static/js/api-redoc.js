// ReDoc for /api/schema/redoc/: its styles go in <style> elements carrying this script's CSP nonce.
"use strict";
(function () {
  const root = document.getElementById("redoc");
  const nonce = document.currentScript ? document.currentScript.nonce : "";
  Redoc.init(root.dataset.schemaUrl, { nonce: nonce, disableSearch: true }, root);
})();
