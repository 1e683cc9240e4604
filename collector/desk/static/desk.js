// The desk's few lines of script: live pages (Server-Sent Events) and passkeys (WebAuthn).
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

const b64 = {
  decode(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;
  },
  encode(buf) {
    return btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

function credentialJSON(cred) {
  const r = cred.response, out = { id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type, response: {} };
  for (const k of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (r[k]) out.response[k] = b64.encode(r[k]);
  }
  out.clientExtensionResults = {};
  return out;
}

async function post(url, body, csrf) {
  const headers = { "Content-Type": "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body || {}) });
  return [response.ok, await response.json()];
}

function passkeys() {
  const say = (text) => { const s = document.getElementById("passkey-status"); if (s) s.textContent = text; };
  if (!window.PublicKeyCredential) return;
  document.querySelectorAll("[data-passkey-signin], [data-passkey-register]").forEach((el) => { el.hidden = false; });
  const register = document.getElementById("passkey-register");
  if (register) register.addEventListener("click", async () => {
    const csrf = register.dataset.csrf;
    const [ok, options] = await post("/desk/passkeys/options", {}, csrf);
    if (!ok) return say(options.message);
    options.challenge = b64.decode(options.challenge);
    options.user.id = b64.decode(options.user.id);
    (options.excludeCredentials || []).forEach((c) => { c.id = b64.decode(c.id); });
    try {
      const cred = await navigator.credentials.create({ publicKey: options });
      const [done, result] = await post("/desk/passkeys", credentialJSON(cred), csrf);
      say(result.message);
      if (done) setTimeout(() => location.reload(), 600);
    } catch (e) { say("No passkey was registered: " + e.message); }
  });
  const signin = document.getElementById("passkey-signin");
  if (signin) signin.addEventListener("click", async () => {
    const [ok, options] = await post("/desk/passkey/signin/options");
    if (!ok) return say(options.message);
    options.challenge = b64.decode(options.challenge);
    (options.allowCredentials || []).forEach((c) => { c.id = b64.decode(c.id); });
    try {
      const cred = await navigator.credentials.get({ publicKey: options });
      const [done, result] = await post("/desk/passkey/signin", credentialJSON(cred));
      say(result.message);
      if (done) location.assign(result.next);
    } catch (e) { say("Not signed in: " + e.message); }
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

document.addEventListener("DOMContentLoaded", () => { live(); passkeys(); writing(); });
