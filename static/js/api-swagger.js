// Swagger UI for /api/schema/swagger-ui/: served from our own static files, no inline script.
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  const csrfToken = () => {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    // Signed-in users try requests with their session: send the CSRF token as Django expects.
    requestInterceptor: (request) => {
      request.headers["X-CSRFToken"] = csrfToken();
      return request;
    },
  });
})();
