// Data-subject request page (R21): decisions are sent in place (fetch, CSRF header) and every row, group summary and
// the count of undecided findings is updated from the answer, so deciding 100 findings is one click and no reload,
// and the page never jumps back to the top. The face search's state updates itself. Without JavaScript the same
// forms post and the page comes back at the group decided (progressive enhancement; CSP forbids inline script).
(function () {
  "use strict";

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showErrors(messages) {
    var list = document.getElementById("decision-errors");
    if (!list) { return; }
    list.textContent = "";
    (messages || []).forEach(function (text) {
      var li = document.createElement("li");
      li.className = "bad";
      li.textContent = text;
      list.appendChild(li);
    });
  }

  function apply(state) {
    state.items.forEach(function (item) {
      var row = document.querySelector('[data-item-id="' + item.id + '"] .decision-text');
      if (row) { row.textContent = item.text; }
    });
    state.groups.forEach(function (group) {
      var section = document.querySelector('[data-group-key="' + group.key + '"] .group-summary');
      if (section) { section.textContent = group.summary; }
    });
    var line = document.getElementById("undecided-line");
    if (line) {
      line.textContent = "";
      if (state.undecided) {
        line.appendChild(document.createTextNode((line.getAttribute("data-word-some") || "Findings not decided yet:") + " "));
        var strong = document.createElement("strong");
        strong.id = "undecided-count";
        strong.textContent = String(state.undecided);
        line.appendChild(strong);
        line.appendChild(document.createTextNode(" / " + state.findings));
      } else {
        line.textContent = line.getAttribute("data-word-none") || "Every finding is decided.";
      }
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-async") || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf(form) }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (answer) {
        if (answer.ok) {
          showErrors([]);
          apply(answer.data);
          form.classList.add("decided");
        } else {
          showErrors(answer.data.errors);
        }
      })
      .catch(function () { form.submit(); })  // anything unexpected: the plain form post still works
      .then(function () { if (button) { button.disabled = false; } });
  });

  // The face search runs in a worker: poll its state (every 3 s, for at most ten minutes so a forgotten page does
  // not keep the session alive) and offer the new findings when it is done.
  var search = document.getElementById("face-search");
  if (search && search.hasAttribute("data-status-url")) {
    var url = search.getAttribute("data-status-url");
    var deadline = Date.now() + 10 * 60 * 1000;
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var text = search.querySelector(".face-search-text");
          if (text) { text.textContent = data.text; }
          if (data.face_search === "queued") {
            if (Date.now() < deadline) { setTimeout(poll, 3000); }
            return;
          }
          var link = search.querySelector(".face-search-reload");
          if (link && data.findings > Number(search.getAttribute("data-findings") || 0)) {
            link.textContent = search.getAttribute("data-word-new-findings") || link.textContent;
          } else if (link) {
            link.hidden = true;
          }
        })
        .catch(function () { setTimeout(poll, 9000); });
    };
    setTimeout(poll, 3000);
  }
}());
