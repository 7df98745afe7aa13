// Swagger UI for Chuhai's own OpenAPI document; the online validator is off
// so that the page makes no request outside this server.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
});
