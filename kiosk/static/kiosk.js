/* Frontline Connect kiosk: a shared PC that forgets each person. Idle for a minute, it asks
   "Still there?" (WCAG 2.2.1: 20 seconds, one tap to carry on), then goes back to the start
   in the site's language with nothing of the last person left in the page or the browser. */
(() => {
  "use strict";
  const cfg = JSON.parse(document.getElementById("kiosk-config").textContent);
  const dialog = document.querySelector("[data-still-there]");
  const countdown = dialog.querySelector("[data-countdown]");
  const carryOn = dialog.querySelector("[data-continue]");
  let lastActive = Date.now();
  let idleTimer = 0;
  let tickTimer = 0;
  let secondsLeft = 0;
  let resetting = false;

  // Each screen replaces the last in history, so Back never leads to someone else's screens.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || link.origin !== location.origin || event.defaultPrevented) return;
    event.preventDefault();
    location.replace(link.href);
  });

  function active() {
    lastActive = Date.now();
    if (!dialog.hidden) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(warn, cfg.idle * 1000);
  }
  function tick() {
    countdown.textContent = countdown.dataset.template.replace("{n}", secondsLeft);
    if (secondsLeft-- <= 0) reset();
  }
  function warn() {
    if (cfg.atStart) return; // the start screen holds nothing of anyone's
    secondsLeft = cfg.warning;
    dialog.hidden = false;
    carryOn.focus();
    tick();
    tickTimer = setInterval(tick, 1000);
  }
  carryOn.addEventListener("click", () => {
    clearInterval(tickTimer);
    dialog.hidden = true;
    active();
  });
  for (const type of ["pointerdown", "keydown", "touchstart", "wheel"]) {
    document.addEventListener(type, active, { capture: true, passive: true });
  }
  active();

  async function reset() {
    if (resetting) return;
    resetting = true;
    clearInterval(tickTimer);
    if (window.speechSynthesis) speechSynthesis.cancel();
    document.querySelectorAll("[data-flow]").forEach((f) => f.dispatchEvent(new Event("frontline:wipe")));
    const held = visits ? visits.get() : null;
    try {
      // Everything but this PC's own credential (register.js), which is no one's data.
      const keep = Object.keys(localStorage).filter((k) => k.startsWith("frontline-kiosk:"))
        .map((k) => [k, localStorage.getItem(k)]);
      sessionStorage.clear(); localStorage.clear();
      keep.forEach(([k, v]) => localStorage.setItem(k, v));
    } catch (_) { /* storage disabled */ }
    // The answer carries Clear-Site-Data: the HTTP cache and any cookies go too; and the
    // visit ends on the server, so its handle proves nothing even if something kept it.
    try {
      await fetch(cfg.reset, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        // An unfinished survey answered without a number goes too (survey.js holds its handle).
        body: JSON.stringify({
          ...(held ? { visit: held.token } : {}),
          ...(window.FrontlineSurvey && window.FrontlineSurvey.held()
            ? { survey: window.FrontlineSurvey.held() } : {}),
        }),
      });
    } catch (_) { /* offline: the visit ends by itself within minutes */ }
    location.replace(cfg.home);
  }
  // After a finished journey the result stays up until the person finishes or walks away
  // (then "Still there?" as on any screen); "Do something else" goes on with the visit.
  document.addEventListener("frontline:finish", (event) => { event.preventDefault(); reset(); });
  document.addEventListener("frontline:more", () => { location.replace(cfg.start); });

  // While a visit holds a proven number, the bar shows it (masked) and a way to end it now.
  const visits = window.Frontline && window.Frontline.visit;
  const badge = document.querySelector("[data-visit-end]");
  function showVisit() {
    const held = visits && visits.get();
    badge.hidden = !held;
    if (held) badge.querySelector("[data-visit-masked]").textContent = held.masked;
  }
  badge.addEventListener("click", reset);
  document.addEventListener("frontline:visit", showVisit);
  showVisit();
  if (visits && visits.get()) {
    // Ask the server whether the visit still stands (and so keep it open a while longer).
    fetch(cfg.visit, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ visit: visits.get().token }),
    }).then((r) => { if (r.status === 401) visits.forget(); }).catch(() => { /* offline */ });
  }

  const banner = document.querySelector("[data-offline]");
  const showNetwork = () => { banner.hidden = navigator.onLine; };
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.worker, { scope: cfg.scope }).catch(() => {});
  }

  // New content appears by itself: while nobody is using the screen, a changed digest reloads it.
  async function refresh() {
    const busy = document.querySelector("[data-steps]:not([hidden])") || !dialog.hidden;
    if (busy || Date.now() - lastActive < 30000) return;
    try {
      const response = await fetch(cfg.version, { cache: "no-store" });
      const now = await response.json();
      if (now.version !== cfg.contentVersion || now.assets !== cfg.assets) {
        const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
        if (worker) worker.postMessage("refresh");
        location.replace(location.href);
      }
    } catch (_) { /* offline: keep showing what we have */ }
  }
  setInterval(refresh, cfg.refresh * 1000);

  const speak = document.querySelector("[data-read-aloud]");
  if (speak && window.speechSynthesis) {
    const lang = document.documentElement.lang;
    const offer = () => {
      speak.hidden = !speechSynthesis.getVoices().some((v) => v.lang.toLowerCase().startsWith(lang));
    };
    offer();
    speechSynthesis.addEventListener("voiceschanged", offer);
    speak.addEventListener("click", () => {
      speechSynthesis.cancel();
      const words = new SpeechSynthesisUtterance(document.getElementById("main").innerText);
      words.lang = lang;
      speechSynthesis.speak(words);
    });
  }
})();
