// Reference photo states update in place while a face is being computed: no page reload, so nothing typed in a
// form on the page is lost. Without JavaScript the page still says how to check again (a plain link).
(function () {
  "use strict";
  var root = document.querySelector("[data-photo-status-url]");
  if (!root) { return; }
  var url = root.getAttribute("data-photo-status-url");
  var delay = 3000;
  // Stop after ten minutes: a page left open must not keep the session alive for ever (idle timeout).
  var deadline = Date.now() + 10 * 60 * 1000;
  // The words come from the page (data-word-* attributes, in the reader's language); English if a page gives none.
  function word(name, fallback) { return root.getAttribute("data-word-" + name) || fallback; }
  var words = {
    pending: word("pending", "face being computed…"),
    ready: word("ready", "face ready"),
    failed: word("failed", "failed")
  };

  function apply(photos) {
    photos.forEach(function (photo) {
      var cell = document.querySelector('[data-photo-id="' + photo.id + '"]');
      if (!cell) { return; }
      var state = cell.querySelector(".status");
      if (state) {
        state.className = "status status-" + photo.status;
        state.textContent = (cell.getAttribute("data-photo-prefix") || "") + words[photo.status];
      }
      var reason = cell.querySelector(".reason");
      if (reason) { reason.textContent = photo.failure_reason ? " " + photo.failure_reason : ""; }
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        apply(data.photos);
        if (data.pending && Date.now() < deadline) {
          setTimeout(poll, delay);
        } else if (data.pending) {
          var waiting = document.getElementById("photo-pending-notice");
          if (waiting) { waiting.textContent = word("still-pending", "A face is still being computed after ten minutes: reload the page later."); }
        } else {
          var notice = document.getElementById("photo-pending-notice");
          if (notice) { notice.textContent = word("all-done", "Every reference face is ready or has failed."); }
          // The submit button waited only for these faces: offer it now that every person has a ready one.
          var submit = document.getElementById("submit-case");
          if (submit && submit.hasAttribute("data-wait-for-faces") && data.every_person_ready) {
            submit.disabled = false;
            var why = document.getElementById("submit-case-why");
            if (why) { why.hidden = true; }
          }
        }
      })
      .catch(function () { setTimeout(poll, delay * 3); });
  }
  setTimeout(poll, delay);
}());
