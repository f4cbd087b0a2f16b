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

// Forms opened in place: focus their first field; "Cancel" closes them.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var form = event.detail.target.querySelector(".chain-form form");
    if (!form) return;
    var field = form.querySelector("[aria-invalid='true'], input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  });
  // A form redrawn after a search (Kolada's key figures or units): the hits, or why there are none.
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    var found = root.querySelector && root.querySelector(".search-hits, .kolada-fields [role=alert]");
    if (found) found.focus();
  });
  // Enter in a search field searches, rather than saving the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest || event.target.tagName !== "INPUT") return;
    var search = event.target.closest(".search-field");
    var button = search && search.querySelector("button[type=submit]");
    if (!button) return;
    event.preventDefault();
    button.click();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss-form]");
    if (!button) return;
    var container = button.closest(".chain-form");
    var slot = container && container.parentElement;
    if (container) container.remove();
    var opener = slot && slot.closest("article, section");
    if (opener) {
      var heading = opener.querySelector("h2, h3");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
})();

// A report PDF that has just been built downloads by itself (the document page's progress poll
// marks its link); the link stays for downloading it again.
(function () {
  "use strict";
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    var link = root.matches && root.matches("[data-auto-download]") ? root : root.querySelector && root.querySelector("[data-auto-download]");
    if (!link) return;
    link.removeAttribute("data-auto-download");
    window.location.assign(link.href);
  });
})();
