// templates.js - the template editor's live preview, served at
// /static/templates.js and loaded only by the editor (/new-template,
// /templates/NAME/edit). As the user types it posts the form, CSRF field and
// all, to /template-preview once the typing has paused for 300 ms, and shows
// the server's rendering in #preview: the subject, text and HTML source as
// text, the HTML in the sandboxed frame (sandbox="": no script runs in it).
// Only the answer to the latest request is shown. Without this script the
// editor's Preview button asks the server for the same.
"use strict";

(function () {
  const kPause = 300;

  function show(preview, answer) {
    const failed = !answer || typeof answer !== "object" || answer.error;
    const error = preview.querySelector("#preview-error");
    error.textContent = failed
      ? (answer && answer.error && answer.error.message) || preview.dataset.failed
      : "";
    error.hidden = !failed;
    const part = function (name) { return failed ? "" : String(answer[name] || ""); };
    preview.querySelector("#preview-subject").textContent = part("subject");
    preview.querySelector("#preview-text").textContent = part("text");
    preview.querySelector("#preview-html").srcdoc = part("html");
    preview.querySelector("#preview-html-source").textContent = part("html");
    preview.querySelector("#preview-missing").textContent =
      failed || !Array.isArray(answer.missing) ? "" : answer.missing.join(", ");
    preview.dataset.shown = String(Number(preview.dataset.shown || 0) + 1);
  }

  function live(form, preview) {
    let timer = null;
    let asked = 0;
    async function render() {
      const mine = ++asked;
      const fields = new URLSearchParams(new FormData(form));
      fields.delete("op");
      let answer = null;
      try {
        const r = await fetch("/template-preview", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: fields.toString(),
        });
        answer = await r.json();
      } catch (e) {
        answer = null;  // shown as the page's "preview failed"
      }
      if (mine === asked) show(preview, answer);
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, kPause);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("template-form");
    const preview = document.getElementById("preview");
    if (form && preview) live(form, preview);
  });
})();
