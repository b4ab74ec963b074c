// Chunked upload of a recording for a post-event search (R24): create it through the API, send the file in chunks in
// order (each checked and sealed by the server as it arrives) with a progress bar, then complete it. Nothing is
// held whole in memory: each chunk is a slice of the file.
(function () {
  "use strict";
  var form = document.getElementById("recording-upload");
  if (!form) { return; }
  var progress = document.getElementById("recording-progress");
  var status = document.getElementById("recording-status");
  var chunkBytes = parseInt(form.getAttribute("data-chunk-bytes"), 10);
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
  function word(name) { return form.getAttribute("data-word-" + name) || ""; }
  function token() { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }

  function errorText(body) {
    if (!body) { return ""; }
    if (body.detail) { return body.detail; }
    var parts = [];
    Object.keys(body).forEach(function (key) { parts = parts.concat(body[key]); });
    return parts.join(" ");
  }

  function call(method, url, body, contentType) {
    var headers = { "X-CSRFToken": token(), Accept: "application/json" };
    if (contentType) { headers["Content-Type"] = contentType; }
    return fetch(url, { method: method, credentials: "same-origin", headers: headers, body: body })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          if (!response.ok) { throw new Error(errorText(data) || String(response.status)); }
          return data;
        });
      });
  }

  function show(text, bad) {
    status.textContent = text;
    status.className = bad ? "bad" : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = document.getElementById("recording-file").files[0];
    if (!file) { show(word("choose"), true); return; }
    if (file.size > maxBytes) { show(word("too-large"), true); return; }
    var start = document.getElementById("recording-start").value;
    var payload = {
      camera_id: parseInt(document.getElementById("recording-camera").value, 10),
      file_name: file.name,
      size: file.size,
      capture_start: start || null,
      capture_evidence: document.getElementById("recording-evidence").value
    };
    form.querySelector("button[type=submit]").disabled = true;
    progress.hidden = false;
    progress.value = 0;
    show(word("sending"), false);
    call("POST", form.getAttribute("data-create-url"), JSON.stringify(payload), "application/json")
      .then(function (recording) {
        var offset = 0;
        function next() {
          if (offset >= file.size) {
            return call("POST", "/api/recordings/" + recording.id + "/complete/", "{}", "application/json");
          }
          var end = Math.min(file.size, offset + chunkBytes);
          return call("PUT", "/api/recordings/" + recording.id + "/chunks/" + offset + "/", file.slice(offset, end),
                      "application/octet-stream")
            .then(function (answer) {
              offset = answer.received_bytes;
              progress.value = Math.floor(100 * offset / file.size);
              show(word("sending") + " " + progress.value + " %", false);
              return next();
            });
        }
        return next();
      })
      .then(function () {
        progress.value = 100;
        show(word("checking"), false);
        window.setTimeout(function () { window.location.reload(); }, 1500);
      })
      .catch(function (error) {
        show(word("failed") + " " + error.message, true);
        form.querySelector("button[type=submit]").disabled = false;
      });
  });
}());
