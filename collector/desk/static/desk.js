// The desk's few lines of script: live pages (Server-Sent Events) and the writing page's
// "Insert" (passkeys: models/web_static/passkeys.js, shared with the browser chat).
// Every page works without it.
"use strict";

function live() {
  const main = document.querySelector("main[data-live]");
  if (!main || !window.EventSource) return;
  const status = document.getElementById("live-status");
  const source = new EventSource(main.dataset.live);
  // At most one reload a second however busy the round is: the page shows the latest figures.
  let pending = null, last = 0;
  async function refresh() {
    pending = null;
    last = Date.now();
    const response = await fetch(location.href, { headers: { "X-Desk-Live": "1" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("main");
    if (!fresh) return;
    // Keep what someone is typing: a page with a form being edited is not replaced.
    if (main.contains(document.activeElement) && document.activeElement.matches("textarea, input, select")) return;
    main.innerHTML = fresh.innerHTML;
    const s = document.getElementById("live-status");
    if (s) s.textContent = "Updated " + new Date().toLocaleTimeString();
  }
  source.addEventListener("ready", () => { if (status) status.textContent = "Live: this page updates itself."; });
  source.addEventListener("change", () => {
    if (!pending) pending = setTimeout(refresh, Math.max(150, 1000 - (Date.now() - last)));
  });
}

// The writing page: "Insert" appends the statement to the editor in place (without script it
// posts the form, which returns the page with the same text appended). Nothing is saved here.
function writing() {
  const editor = document.querySelector("textarea[data-editor]");
  if (!editor) return;
  // Leaving the page (a filter, a link) with unsaved words asks first; saving does not.
  const saved = editor.value;
  let leaving = false;
  editor.form.addEventListener("submit", () => { leaving = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!leaving && editor.value !== saved) event.preventDefault();
  });
  document.querySelectorAll("button[data-insert]").forEach((button) => {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const before = editor.value.replace(/\s+$/, "");
      editor.value = before ? before + "\n\n" + button.dataset.insert : button.dataset.insert;
      editor.focus();
      editor.setSelectionRange(editor.value.length, editor.value.length);
      const note = document.getElementById("insert-status");
      if (note) note.textContent = "Statement added at the end of the text. It is not saved yet.";
    });
  });
}

document.addEventListener("DOMContentLoaded", () => { live(); writing(); });
