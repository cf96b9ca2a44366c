/* Frontline Connect: the code step (number pad, texted code) and the offline request queue.
   Shared by the kiosk and the public pages. A number lives only in this script's memory until
   it is sent; while the network is down a paired kiosk seals the whole request (number, what
   was asked for) before it is stored, so the queue holds nothing anyone can read. */
(() => {
  "use strict";
  // The one rule for showing a number (service/contacts/phone.py masked): the last three
  // digits only, the length hidden. tests/test_masking.py runs both on the same numbers.
  const MASK = "\u2022\u2022\u2022\u2022 \u2022\u2022\u2022 ";
  const maskNumber = (number) => MASK + String(number).replace(/[^0-9]/g, "").slice(-3);
  if (typeof document === "undefined") { module.exports = { maskNumber }; return; }  // node
  const config = JSON.parse(document.getElementById("flow-config").textContent);
  const DB_NAME = "frontline-queue";
  const STORE = "requests";
  const INFO = new TextEncoder().encode("frontline kiosk queue v2");

  // -- sealing: HPKE auth mode with this PC's paired key (service/verification/sealing.py) -
  const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const unb64 = (text) => Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

  // The key pair the console made when a site manager paired this PC (console.js). Its private
  // half is a non-extractable CryptoKey: it can seal here but cannot be read out.
  function pairedKey(site) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("frontline-kiosk", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("keys", { keyPath: "site" });
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const get = db.transaction("keys").objectStore("keys").get(site);
        get.onsuccess = () => { db.close(); resolve(get.result); };
        get.onerror = () => { db.close(); reject(get.error); };
      };
    });
  }

  // The HPKE library is only needed to queue a request, so it is not on every page's weight.
  function loadHpke() {
    if (window.HPKE) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = config.hpke;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function seal(value) {
    const paired = await pairedKey(config.site);
    if (!paired) throw new Error("this PC is not paired as a kiosk");
    await loadHpke();
    const suite = new HPKE.CipherSuite({
      kem: new HPKE.DhkemP256HkdfSha256(), kdf: new HPKE.HkdfSha256(), aead: new HPKE.Aes128Gcm(),
    });
    const recipientPublicKey = await suite.kem.deserializePublicKey(unb64(config.sealKey));
    const exp = Math.floor(Date.now() / 1000) + config.sealLifetime;
    const aad = new TextEncoder().encode(
      `frontline kiosk queue v2|org ${config.org}|site ${config.site}|kiosk ${paired.kiosk}|exp ${exp}`);
    const sender = await suite.createSenderContext({
      recipientPublicKey, info: INFO,
      senderKey: { privateKey: paired.privateKey, publicKey: paired.publicKey },
    });
    const ct = await sender.seal(new TextEncoder().encode(JSON.stringify(value)), aad);
    return { v: 2, kiosk: paired.kiosk, exp, enc: b64(sender.enc), ct: b64(ct) };
  }

  // -- the queue: IndexedDB, one record per request, keyed by its idempotency key -----------
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function inStore(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(request.result); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }
  const queue = {
    add: (item) => inStore("readwrite", (s) => s.put(item)),
    all: () => inStore("readonly", (s) => s.getAll()),
    remove: (key) => inStore("readwrite", (s) => s.delete(key)),
  };

  // A kiosk PC registered from the console holds a credential (register.js); the server gives
  // its shift-sized limits only to requests that carry it. Phones and public pages hold none.
  const credential = (() => {
    try { return localStorage.getItem("frontline-kiosk:" + config.api); } catch (_) { return null; }
  })();
  async function post(url, body) {
    const headers = { "Content-Type": "application/json" };
    if (credential) headers["X-Kiosk-Credential"] = credential;
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers, body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (_) { /* an error page, not JSON */ }
    return { ok: response.ok, status: response.status, data };
  }

  let flushing = false;
  async function flush() {
    if (flushing || !window.indexedDB) return;
    flushing = true;
    try {
      for (const item of await queue.all()) {
        let answer;
        try { answer = await post(item.url, item.body); } catch (_) { break; } // still offline
        // The server has it (or refused it for good): a 5xx is tried again later.
        if (answer.status < 500) await queue.remove(item.key);
      }
    } finally { flushing = false; }
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  flush();

  // -- a kiosk visit: once a code matched, the rest of the visit needs none (visits.py) ------
  // Only the visit's random handle and the masked number are kept, in this tab's session
  // storage, which the kiosk's reset clears (and the server ends the visit there too).
  const VISIT = "frontline-visit";
  const visit = {
    get() {
      if (!config.visits) return null;
      try { return JSON.parse(sessionStorage.getItem(VISIT)); } catch (_) { return null; }
    },
    set(token, masked) {
      try { sessionStorage.setItem(VISIT, JSON.stringify({ token, masked })); } catch (_) { /* off */ }
      document.dispatchEvent(new CustomEvent("frontline:visit"));
    },
    forget() {
      try { sessionStorage.removeItem(VISIT); } catch (_) { /* storage disabled */ }
      document.dispatchEvent(new CustomEvent("frontline:visit"));
    },
  };

  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

  // A keyboard set to Urdu, Punjabi or Gujarati types ۲, ੨ or ૨: the same digit as 2. The
  // zeros of the scripts the kiosk speaks (ASCII, Arabic-Indic, Urdu's, Devanagari, Gurmukhi,
  // Gujarati); each script's ten digits follow its zero.
  const ZEROS = [0x30, 0x660, 0x6f0, 0x966, 0xa66, 0xae6];
  function asciiDigit(key) {
    if (typeof key !== "string" || [...key].length !== 1) return null;
    const point = key.codePointAt(0);
    const zero = ZEROS.find((z) => point >= z && point <= z + 9);
    return zero === undefined ? null : String(point - zero);
  }

  // -- one flow per [data-flow]: consent, number, code, done --------------------------------
  function setUp(el) {
    const strings = el.querySelector("[data-strings]").dataset;
    const opener = el.querySelector("[data-open]");
    const steps = el.querySelector("[data-steps]");
    const action = el.dataset.action;
    let digits = "";
    let token = null;
    let masked = "";
    let step = null;
    let busy = false;

    const current = () => el.querySelector(`[data-step="${step}"]`);
    const grouped = (d) => d.replace(/^(0\d{4})(\d)/, "$1 $2");
    function render(text) {
      const entry = current() && current().querySelector("[data-entry]");
      if (entry) entry.textContent = text !== undefined ? text : (step === "number" ? grouped(digits) : digits);
    }
    function error(text) {
      const slot = current() && current().querySelector("[data-error]");
      if (slot) slot.textContent = text || "";
    }
    function show(name) {
      step = name;
      steps.hidden = false;
      opener.hidden = true;
      el.querySelectorAll("[data-step]").forEach((s) => { s.hidden = s.dataset.step !== name; });
      const heading = current().querySelector("h2, [data-message]");
      heading.tabIndex = -1;
      heading.focus();
      render();
    }
    function wipe() {
      digits = ""; token = null; delete el.dataset.consented; delete el.dataset.when;
      el.querySelectorAll("[data-entry], [data-sent], [data-error], [data-message]")
        .forEach((n) => { n.textContent = ""; });
    }
    function close() {
      wipe(); step = null; steps.hidden = true; opener.hidden = false;
      opener.setAttribute("aria-expanded", "false");
    }
    function finish(message) {
      wipe();
      show("done");
      current().querySelector("[data-message]").textContent = message;
      document.dispatchEvent(new CustomEvent("frontline:done"));
    }

    async function queueOffline(path, body, phone) {
      if (!window.indexedDB || !window.crypto || !crypto.subtle || !config.sealKey) {
        return error(strings.noOffline);
      }
      try {
        // Everything is sealed, the action and network too: the record says only "queued".
        const sealed = await seal({ ...body, path, phone });
        await queue.add({ key: body.key, url: config.api + "queued", body: { sealed } });
      } catch (_) { return error(strings.noOffline); }
      finish(action === "text-me" ? strings.offlineText : strings.offlineCode);
    }

    async function send() {
      if (digits.length < 10) return error(strings.tooShort);
      const body = target();
      const path = action === "text-me" ? "text-me" : "start";
      const phone = digits;
      // From here the number is only ever shown masked.
      render(maskNumber(phone));
      error("");
      let answer;
      try { answer = await post(config.api + path, { ...body, phone }); } catch (_) {
        digits = "";
        // Proving a number is for this screen, now: nothing to queue for later.
        if (action === "prove") { render(); return error(strings.noOffline); }
        return queueOffline(path, body, phone);
      }
      if (!answer.ok) { render(); return error(answer.data.message || strings.noOffline); }
      digits = "";
      if (action === "text-me") return finish(answer.data.message);
      token = answer.data.token;
      masked = answer.data.masked || "";
      show("code");
      current().querySelector("[data-sent]").textContent = answer.data.message;
    }

    async function check() {
      if (digits.length !== 6) return error(strings.codeShort);
      let answer;
      try {
        answer = await post(config.api + "check", { token, code: digits, lang: config.lang });
      } catch (_) { return error(strings.noOffline); }
      digits = "";
      if (answer.ok && answer.data.visit) visit.set(token, masked);
      if (answer.ok) return finish(answer.data.message);
      render();
      error(answer.data.message);
      if (answer.data.status !== "wrong") token = null;
    }

    function target() {
      const body = { action, key: newKey(), lang: config.lang, consent: el.dataset.consented === "1" };
      for (const name of ["network", "event", "occurrence", "what", "when"]) {
        if (el.dataset[name]) body[name] = el.dataset[name];
      }
      return body;
    }
    // The number step, or, in a visit, the step that names the proven number instead.
    function numberStep() {
      const held = visit.get();
      if (!held) return show("number");
      show("proven");
      current().querySelector("[data-masked]").textContent = held.masked;
    }
    async function useVisit() {
      const held = visit.get();
      if (!held) return show("number");
      const path = action === "text-me" ? "visit/text-me" : "visit/act";
      let answer;
      try { answer = await post(config.api + path, { ...target(), visit: held.token }); } catch (_) {
        // Offline: the number is not kept here, so it is typed again and queued sealed.
        return show("number");
      }
      if (answer.status === 401) {
        visit.forget();
        show("number");
        return error(answer.data.message);
      }
      if (!answer.ok) return error(answer.data.message || strings.noOffline);
      finish(answer.data.message);
    }

    function press(key) {
      error("");
      const limit = step === "code" ? 6 : 15;
      if (key === "back") digits = digits.slice(0, -1);
      else if (key === "clear") digits = "";
      else if (/^\d$/.test(key) && digits.length < limit) digits += key;
      render();
    }
    async function submit() {
      if (busy) return;
      busy = true;
      try {
        if (step === "number") await send();
        else if (step === "code" && token) await check();
        else if (step === "proven") await useVisit();
      }
      finally { busy = false; }
    }

    opener.addEventListener("click", () => {
      document.querySelectorAll("[data-flow]").forEach((other) => {
        if (other !== el) other.dispatchEvent(new Event("frontline:wipe"));
      });
      opener.setAttribute("aria-expanded", "true");
      // A call-back asks first when a call suits them; joining a sensitive group asks consent.
      if (el.querySelector('[data-step="when"]')) show("when");
      else if (el.querySelector('[data-step="consent"]')) show("consent"); else numberStep();
    });
    el.addEventListener("frontline:wipe", close);
    el.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.dataset.key) press(button.dataset.key);
      else if (button.hasAttribute("data-agree")) { el.dataset.consented = "1"; numberStep(); }
      else if (button.dataset.when) { el.dataset.when = button.dataset.when; numberStep(); }
      else if (button.hasAttribute("data-send") || button.hasAttribute("data-check")
        || button.hasAttribute("data-use-visit")) submit();
      else if (button.hasAttribute("data-other-number")) show("number");
      else if (button.hasAttribute("data-more")) {
        // The visit goes on: back to the start, the number still proven.
        close();
        document.dispatchEvent(new CustomEvent("frontline:more"));
      }
      else if (button.hasAttribute("data-cancel")) { close(); opener.focus(); }
      else if (button.hasAttribute("data-finish")) {
        const handled = !document.dispatchEvent(new CustomEvent("frontline:finish", { cancelable: true }));
        if (!handled) { close(); opener.focus(); }
      }
    });
    document.addEventListener("keydown", (event) => {
      if (step !== "number" && step !== "code") return;
      const digit = asciiDigit(event.key);
      if (digit !== null) press(digit);
      else if (event.key === "Backspace") press("back");
      else if (event.key === "Enter" && !event.target.closest("button")) submit();
      else return;
      event.preventDefault();
    });
  }

  document.querySelectorAll("[data-flow]").forEach(setUp);
  window.Frontline = { flush, queue, visit, maskNumber, credential };
})();
