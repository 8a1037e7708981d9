// timebank: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Forms marked data-autosubmit submit when one of their selects changes (e.g. the language switch);
  // their submit button stays for people without JavaScript.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Print buttons: a plain link to the same page without JavaScript, or a button hidden until this runs.
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.hidden = false;
    link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  // Queue: "select all" checkbox for bulk decisions.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name=" + box.getAttribute("data-select-all") + "]").forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });
  // Pictures that change on a schedule (the personal check-in code, which is valid for a minute): fetched again
  // from data-renew-src when their time is up, without reloading the page (which would restart a screen reader
  // and lose the scroll; such pages reload themselves from a <noscript> refresh when there is no JavaScript).
  document.querySelectorAll("img[data-renew-src]").forEach(function (image) {
    var renew = function () { image.src = image.getAttribute("data-renew-src") + "?t=" + Date.now(); };
    var every = (parseInt(image.getAttribute("data-renew-every"), 10) || 60) * 1000;
    window.setTimeout(function () { renew(); window.setInterval(renew, every); },
                      (parseInt(image.getAttribute("data-renew-after"), 10) || 60) * 1000 + 500);
  });
  // Prevent double submission on slow connections: a form that is being sent disables its buttons.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
