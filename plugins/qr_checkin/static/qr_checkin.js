// QR check-in: kiosk refresh, optional location check, leader's camera scan. Every page works without it.
(function () {
  "use strict";

  // Kiosk: swap the rotating code and the fallback digits without reloading the page.
  var kiosk = document.querySelector("[data-kiosk]");
  if (kiosk) {
    var img = kiosk.querySelector("img");
    var code = kiosk.querySelector("[data-code]");
    var seconds = kiosk.querySelector("[data-seconds]");
    var left = parseInt(seconds.textContent, 10) || 30;
    var refresh = function () {
      fetch(kiosk.getAttribute("data-kiosk"), {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.json(); })
        .then(function (state) {
          img.src = state.qr;
          code.textContent = state.code.slice(0, 3) + " " + state.code.slice(3);
          left = state.seconds;
        })
        .catch(function () { window.location.reload(); });
    };
    // The page's <noscript> <meta refresh> is the fallback; with JavaScript the page stays, only the code changes.
    window.setInterval(function () {
      left -= 1;
      if (left <= 0) { refresh(); left = 30; }
      seconds.textContent = String(Math.max(left, 0));
    }, 1000);
  }

  // Location check: fill the hidden fields of forms marked data-geo; only inside/outside is kept on the server.
  document.querySelectorAll("form[data-geo]").forEach(function (form) {
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = form.querySelector("[name=latitude]");
      var lng = form.querySelector("[name=longitude]");
      if (lat && lng) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
      }
    }, function () { /* refused or unavailable: check-in still works, marked "location unknown" */ },
    {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
  });

  // Leader scan: read volunteers' personal codes with the phone camera (jsQR, served locally). jsQR is 51 KB
  // compressed, more than the rest of the page: it is fetched when the leader taps "Use the camera", not before.
  var camera = document.querySelector("[data-camera]");
  var start = document.querySelector("[data-camera-start]");
  var withDecoder = function (then, failed) {
    if (window.jsQR) { then(); return; }
    var script = document.createElement("script");
    script.src = camera.getAttribute("data-decoder");
    script.onload = then;
    script.onerror = failed;
    document.head.appendChild(script);
  };
  if (camera && start && navigator.mediaDevices) {
    start.hidden = false;
    var video = camera.querySelector("video");
    var status = camera.querySelector("[data-camera-status]");
    var form = document.getElementById("leader-scan-form");
    var input = form.querySelector("[name=token]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", {willReadFrequently: true});
    var tick = function () {
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
        if (found && found.data) {
          input.value = found.data;
          status.textContent = "✓";
          form.submit();
          return;
        }
      }
      window.requestAnimationFrame(tick);
    };
    var unavailable = function () { camera.hidden = false; };  // the status line asks for the code to be typed
    start.addEventListener("click", function () {
      withDecoder(function () {
        navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
          camera.hidden = false;
          start.hidden = true;
          video.srcObject = stream;
          video.play();
          window.requestAnimationFrame(tick);
        }).catch(unavailable);
      }, unavailable);
    });
  }
})();
