/* Frontline Connect: keep the credential the console issued to this kiosk PC.
   It arrives in the address's fragment (never sent to a server), is kept in localStorage (the
   kiosk's per-person reset clears cookies and cache, not storage), and frontline.js sends it
   with each code request so this screen gets a shift's worth of codes. */
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("flow-config").textContent);
  const status = document.querySelector("[data-register-status]");
  const credential = location.hash.slice(1);
  if (!credential) {
    status.textContent = status.dataset.missing;
    return;
  }
  localStorage.setItem("frontline-kiosk:" + config.api, credential);
  history.replaceState(null, "", location.pathname);
  status.textContent = status.dataset.done;
  const home = document.querySelector("[data-home]").href;
  setTimeout(() => location.replace(home), 3000);
})();
