// Passkeys (WebAuthn) on the desk and in the browser chat: shown only where the browser supports
// them. The collector checks every response; this file only carries it, to the addresses its
// buttons name (data-options, data-url). Every page still works without it: sign in with a
// one-time link.
"use strict";

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

// The signed response as JSON, in the shape py_webauthn reads (base64url fields).
function credentialJSON(cred) {
  const r = cred.response, out = { id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type, response: {} };
  for (const k of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (r[k]) out.response[k] = b64.encode(r[k]);
  }
  out.clientExtensionResults = {};
  return out;
}

// [ok, body]; a page that is not JSON (an expired form, a lost sign-in) becomes a message.
async function post(url, body, csrf) {
  const headers = { "Content-Type": "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  try {
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body || {}), credentials: "same-origin" });
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/json")) return [response.ok, await response.json()];
    return [false, { message: "That did not work: reload the page and try again." }];
  } catch (e) {
    return [false, { message: "MAA can't be reached just now: try again in a minute." }];
  }
}

function say(text) {
  const s = document.getElementById("passkey-status");
  if (s) s.textContent = text;
}

function start() {
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  document.querySelectorAll("[data-passkey-signin], [data-passkey-register]").forEach((el) => { el.hidden = false; });
  document.querySelectorAll("[data-passkey-none]").forEach((el) => { el.hidden = true; });

  const register = document.getElementById("passkey-register");
  if (register) register.addEventListener("click", async () => {
    const csrf = register.dataset.csrf;
    say("");
    const [ok, options] = await post(register.dataset.options, {}, csrf);
    if (!ok) return say(options.message);
    options.challenge = b64.decode(options.challenge);
    options.user.id = b64.decode(options.user.id);
    (options.excludeCredentials || []).forEach((c) => { c.id = b64.decode(c.id); });
    let cred;
    try {
      cred = await navigator.credentials.create({ publicKey: options });
    } catch (e) {
      return say("No passkey was registered (" + e.name + "). You can try again.");
    }
    const [done, result] = await post(register.dataset.url, credentialJSON(cred), csrf);
    say(result.message);
    if (done) {
      const n = result.passkeys, count = document.getElementById("passkey-count");
      if (count) count.textContent = "You have " + n + " passkey" + (n === 1 ? "" : "s") + ".";
    }
  });

  const signin = document.getElementById("passkey-signin");
  if (signin) signin.addEventListener("click", async () => {
    say("");
    const [ok, options] = await post(signin.dataset.options);
    if (!ok) return say(options.message);
    options.challenge = b64.decode(options.challenge);
    (options.allowCredentials || []).forEach((c) => { c.id = b64.decode(c.id); });
    let cred;
    try {
      cred = await navigator.credentials.get({ publicKey: options });
    } catch (e) {
      return say("Not signed in (" + e.name + "). You can try again, or use a sign-in link.");
    }
    const [done, result] = await post(signin.dataset.url, credentialJSON(cred));
    say(result.message);
    if (!done) return;
    // The chat's sign-in page is /chat/ itself: going to /chat/#latest alone would not load it.
    const here = location.pathname;
    location.assign(result.next);
    if (result.next.split("#")[0] === here) location.reload();
  });
}

document.addEventListener("DOMContentLoaded", start);
