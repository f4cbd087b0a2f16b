// SKA's only script of its own: htmx error messages and focus after page fragments swap.
// htmx drops 4xx/5xx responses silently; tell the person what happened instead.
(function () {
  "use strict";

  function showError(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var article = document.createElement("article");
    article.className = "message message-error";
    article.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = text;
    article.appendChild(p);
    region.replaceChildren(article);
  }

  function messageFor(status) {
    var data = document.body.dataset;
    if (status === 403) return data.errorForbidden;
    if (status === 404) return data.errorNotFound;
    if (status >= 500) return data.errorServer;
    return data.errorGeneric + " (" + status + ")";
  }

  document.addEventListener("htmx:responseError", function (event) {
    showError(messageFor(event.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    showError(document.body.dataset.errorNetwork);
  });
})();
