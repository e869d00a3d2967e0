// ReDoc for /api/schema/redoc/: its styles go in <style> elements carrying this script's CSP nonce.
"use strict";
(function () {
  // ReDoc's menu footer loads Redocly's logo from their CDN; this page loads nothing from other
  // hosts (CSP img-src 'self'), so the image is left without a source and the link keeps its text.
  const THIRD_PARTY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (name === "src" && value === THIRD_PARTY_LOGO) {
      return undefined;
    }
    return setAttribute.call(this, name, value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    get: src.get,
    set(value) {
      if (value !== THIRD_PARTY_LOGO) {
        src.set.call(this, value);
      }
    },
    configurable: true,
  });

  const root = document.getElementById("redoc");
  const nonce = document.currentScript ? document.currentScript.nonce : "";
  Redoc.init(root.dataset.schemaUrl, { nonce: nonce, disableSearch: true }, root);
})();
