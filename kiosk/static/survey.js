/* "Have your say": one survey question a screen, answered in place. The respondent's handle
   and the question on screen live only in this script's memory: never in the address, storage,
   history or a cache. On a kiosk the reset (kiosk.js) tells the server to drop an unfinished
   survey (FrontlineSurvey.held) and reloads the start page, which forgets this memory too. */
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("survey-config").textContent);
  const root = document.querySelector("[data-survey]");
  const intro = root.querySelector("[data-survey-intro]");
  const asking = root.querySelector("[data-survey-question]");
  const done = root.querySelector("[data-survey-done]");
  const crisis = root.querySelector("[data-survey-crisis]");
  const answers = root.querySelector("[data-answers]");
  const written = root.querySelector("[data-written]");
  const box = written.querySelector("textarea");
  const sendWritten = root.querySelector("[data-send-written]");
  let handle = null;
  let question = null;
  let busy = false;

  // A number a kiosk visit proved answers as that number: one response across every channel.
  const visit = () => (config.kiosk && window.Frontline ? window.Frontline.visit.get() : null);

  function error(text) {
    root.querySelectorAll("[data-error]").forEach((slot) => { slot.textContent = text || ""; });
  }

  // "One moment" while an answer is sent again; the screen stays on the question meanwhile.
  function moment(waiting) {
    root.setAttribute("aria-busy", waiting ? "true" : "false");
    root.querySelectorAll("[data-moment]").forEach((slot) => {
      slot.textContent = waiting ? config.moment : "";
    });
  }

  const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  // A 503 means the database was busy a moment and nothing was kept (service/outage.py), so the
  // same request goes again after these pauses. Sending again cannot count an answer twice: it
  // names its question, and one the server did take answers 409 with where the person is now.
  const RETRY_PAUSES_MS = [800, 2000];

  async function postPatiently(path, body) {
    for (let tries = 0; ; tries++) {
      const answer = await post(path, body);
      if (answer.status !== 503 || tries >= RETRY_PAUSES_MS.length) return answer;
      moment(true);
      await pause(RETRY_PAUSES_MS[tries]);
    }
  }

  async function post(path, body) {
    const held = visit();
    const headers = { "Content-Type": "application/json" };
    // A registered kiosk PC's credential buys a shift's queue of unproven answers (surveys.py).
    const credential = config.kiosk && window.Frontline ? window.Frontline.credential : null;
    if (credential) headers["X-Kiosk-Credential"] = credential;
    const response = await fetch(config.api + path, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers,
      body: JSON.stringify({
        ...body, survey: config.survey, lang: config.lang, handle,
        ...(held ? { visit: held.token } : {}),
      }),
    });
    let data = {};
    try { data = await response.json(); } catch (_) { /* not JSON */ }
    return { ok: response.ok, status: response.status, data };
  }

  function button(label, onClick, extra) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "big answer" + (extra ? " " + extra : "");
    b.textContent = label;
    b.dir = "auto"; // an option not yet translated reads left to right inside Urdu
    b.addEventListener("click", onClick);
    return b;
  }

  function show(next) {
    question = next;
    intro.hidden = true;
    done.hidden = true;
    root.classList.add("asking");
    asking.hidden = false;
    error("");
    root.querySelector("[data-progress]").textContent = next.progress;
    const heading = root.querySelector("[data-question-text]");
    heading.textContent = next.text;
    // The equality questions' consent: what they are for, in full, above the question.
    const preface = root.querySelector("[data-preface]");
    preface.textContent = next.preface || "";
    preface.hidden = !next.preface;
    const choose = (value) => () => send({ outcome: "answered", value });
    let buttons = [];
    if (next.kind === "choice") {
      buttons = next.options.map((option, i) => button(option, choose(i + 1)));
    } else if (next.kind === "scale") {
      buttons = [1, 2, 3, 4, 5].map((n) => {
        const label = n === 1 ? config.low : n === 5 ? config.high : String(n);
        return button(label, choose(n), "scale");
      });
    } else if (next.consent) {
      buttons = [button(config.consentYes, choose(1)), button(config.consentNo, choose(0))];
    } else if (next.kind === "yes_no") {
      buttons = [button(config.yes, choose(1)), button(config.no, choose(0))];
    }
    answers.replaceChildren(...buttons);
    answers.dataset.kind = next.kind;
    answers.hidden = next.kind === "text";
    written.hidden = next.kind !== "text";
    sendWritten.hidden = next.kind !== "text";
    written.reset(); // the last answer typed leaves the screen
    asking.querySelector('[data-move="prefer_not"]').hidden = !next.prefer_not;
    // Consent is a yes or a no: a skip would mean no, so the choice is left to the two buttons.
    asking.querySelector('[data-move="skipped"]').hidden = Boolean(next.consent);
    asking.querySelector('[data-move="back"]').hidden = next.number === 1;
    heading.focus();
  }

  function finish(message) {
    handle = null;
    question = null;
    written.reset();
    answers.replaceChildren();
    asking.hidden = true;
    root.classList.remove("asking");
    done.hidden = false;
    done.querySelector("[data-done-message]").textContent = message;
    done.focus();
    // On a kiosk the thank-you stays a moment, then the screen starts again for the next person.
    if (config.kiosk) setTimeout(finishNow, config.finishAfter * 1000);
  }

  // 999 and the crisis line alone: no question beside it, and no timer takes it away. The
  // words were not kept; on a kiosk, Finish (or walking away) starts the screen again.
  function inCrisis(message) {
    question = null;
    written.reset();
    answers.replaceChildren();
    intro.hidden = true;
    asking.hidden = true;
    done.hidden = true;
    root.classList.remove("asking");
    crisis.querySelector("[data-crisis-message]").textContent = message;
    crisis.hidden = false;
    crisis.focus();
  }

  function finishNow() {
    document.dispatchEvent(new CustomEvent("frontline:finish", { cancelable: true }));
  }

  async function call(path, body) {
    if (busy) return;
    busy = true;
    let answer;
    try {
      answer = await postPatiently(path, body);
    } catch (_) {
      error(config.offline);
      return;
    } finally {
      busy = false;
      moment(false);
    }
    const data = answer.data;
    if (answer.ok && data.handle) handle = data.handle;
    if (data.crisis) return inCrisis(data.message);
    if (data.done) return finish(data.message);
    if (data.question) return show(data.question); // a 409 brings the question they are on
    if (!answer.ok && data.error === "visit_over" && window.Frontline) window.Frontline.visit.forget();
    error(data.message || config.offline);
  }

  function send(fields) {
    if (!question) return;
    call("answer", { question: question.id, ...fields });
  }

  const startButton = root.querySelector("[data-survey-start]");
  startButton.addEventListener("click", () => call("start", {}));
  // A survey only members may answer: until this visit holds a proven number, the code step
  // stands where the start button would; once the code matches, the survey starts by itself.
  const needs = root.querySelector("[data-needs-number]");
  function proven() {
    if (!needs) return;
    const held = visit();
    needs.hidden = Boolean(held);
    startButton.hidden = !held;
    return held;
  }
  proven();
  document.addEventListener("frontline:visit", () => {
    if (proven() && !question && !handle) call("start", {});
  });
  asking.querySelectorAll("[data-move]").forEach((b) => {
    b.addEventListener("click", () => {
      if (b.dataset.move === "back") call("back", {});
      else send({ outcome: b.dataset.move });
    });
  });
  written.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!box.value.trim()) return;
    send({ outcome: "answered", text: box.value });
  });
  root.querySelectorAll("[data-survey-finish]").forEach((b) => b.addEventListener("click", finishNow));

  // What the kiosk's reset sends the server so an unfinished survey goes with the person.
  window.FrontlineSurvey = { held: () => (handle ? { id: config.survey, handle } : null) };
})();
