// The console's small helpers: live keyword checks, SMS segment counts, event date previews,
// broadcast progress. Every page works without them; they only answer sooner.
"use strict";

(function () {
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const segmentsUrl = document.body.dataset.segmentsUrl;

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  // Keywords: say at once when a word is taken by another network or is a command word.
  document.querySelectorAll("[data-keyword-check]").forEach((input) => {
    const out = document.querySelector(`[data-keyword-problems="${input.id}"]`);
    const check = debounce(async () => {
      const url = new URL(input.dataset.keywordCheck, location.href);
      url.searchParams.set("words", input.value);
      const reply = await fetch(url, { headers: { Accept: "application/json" } });
      if (!reply.ok) return;
      const { problems } = await reply.json();
      out.textContent = problems.map((p) => `${p.word}: ${p.problem}.`).join(" ");
      input.setAttribute("aria-invalid", problems.length ? "true" : "false");
    }, 300);
    input.addEventListener("input", check);
  });

  // Kiosks: pair this PC. Its browser makes a key pair whose private half can never be read
  // out (non-extractable), keeps it for the kiosk pages (frontline.js), and the server records
  // the public half: requests the kiosk seals offline then open only as coming from it.
  document.querySelectorAll("[data-pair-kiosk]").forEach((button) => {
    const out = document.querySelector(`[data-pair-status="${button.dataset.site}"]`);
    button.addEventListener("click", async () => {
      try {
        const pair = await crypto.subtle.generateKey(
          { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
        const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
        const publicKey = btoa(String.fromCharCode(...raw))
          .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        const reply = await fetch(button.dataset.pairKiosk, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ public_key: publicKey }),
        });
        if (!reply.ok) throw new Error(`pairing refused: ${reply.status}`);
        const { kiosk, site } = await reply.json();
        await new Promise((resolve, reject) => {
          const open = indexedDB.open("frontline-kiosk", 1);
          open.onupgradeneeded = () => open.result.createObjectStore("keys", { keyPath: "site" });
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction("keys", "readwrite");
            tx.objectStore("keys").put({ site, kiosk, privateKey: pair.privateKey, publicKey: pair.publicKey });
            tx.oncomplete = () => { db.close(); resolve(); };
            tx.onerror = () => { db.close(); reject(tx.error); };
          };
        });
        out.textContent = `Paired: this PC is kiosk ${kiosk}. It can now keep requests while offline.`;
      } catch (exc) {
        out.textContent = `Not paired: ${exc.message}.`;
      }
    });
  });

  // SMS segments: how the text being typed goes out, counted by the server's own counter.
  document.querySelectorAll("[data-segments]").forEach((field) => {
    const out = document.getElementById(`${field.dataset.segments}-segments`);
    if (!out || !segmentsUrl) return;
    const show = debounce(async () => {
      const reply = await fetch(segmentsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ text: field.value }),
      });
      if (!reply.ok) return;
      const c = await reply.json();
      const parts = c.segments === 1 ? "1 SMS segment" : `${c.segments} SMS segments`;
      out.textContent = `${c.characters} characters, ${c.encoding}: ${parts}.`;
    }, 250);
    field.addEventListener("input", show);
    show();
  });

  // Events: show only the repeat choices that apply, and preview the next five dates.
  const eventForm = document.querySelector("form[data-dates-url]");
  if (eventForm) {
    const sections = eventForm.querySelectorAll("[data-repeat]");
    const list = document.getElementById("dates");
    const problem = document.getElementById("dates-problem");
    const schedule = ["date", "start", "end", "repeat", "days", "interval", "nth", "weekday", "until"];
    const toggle = () => {
      const kind = eventForm.querySelector('input[name="repeat"]:checked')?.value || "once";
      sections.forEach((s) => { s.hidden = !s.dataset.repeat.split(" ").includes(kind); });
    };
    const preview = debounce(async () => {
      const url = new URL(eventForm.dataset.datesUrl, location.href);
      for (const [name, value] of new FormData(eventForm)) {
        if (schedule.includes(name)) url.searchParams.append(name, value);
      }
      const reply = await fetch(url, { headers: { Accept: "application/json" } });
      if (!reply.ok) return;
      const { dates, problem: why } = await reply.json();
      list.replaceChildren(...dates.map((d) => Object.assign(document.createElement("li"), { textContent: d })));
      problem.textContent = why;
    }, 250);
    eventForm.addEventListener("change", () => { toggle(); preview(); });
    eventForm.addEventListener("input", preview);
    toggle();
  }

  // Destructive buttons ask once.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => { if (!confirm(form.dataset.confirm)) e.preventDefault(); });
  });

  // Broadcast progress: counts refresh every two seconds until nothing is left to send.
  const progress = document.querySelector("[data-progress-url]");
  if (progress) {
    const tick = async () => {
      const reply = await fetch(progress.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!reply.ok) return;
      const state = await reply.json();
      for (const [key, value] of Object.entries(state.counts)) {
        const cell = progress.querySelector(`[data-count="${key}"]`);
        if (cell) cell.textContent = value;
      }
      const bar = progress.querySelector("progress");
      if (bar) { bar.max = state.total || 1; bar.value = state.done; }
      progress.querySelector("[data-status]").textContent = state.status_text;
      if (!state.finished) setTimeout(tick, 2000);
      else {
        progress.querySelectorAll("[data-while-sending]").forEach((el) => { el.hidden = true; });
        // Delivery reports arrive after the last text has left: keep reading them for three
        // minutes, or until none is awaited, so "delivered" does not stop short.
        if ((state.counts.sent || 0) > 0 && settling++ < 90) setTimeout(tick, 2000);
      }
    };
    let settling = 0;
    setTimeout(tick, 1000);
  }
})();
