/* Speak up at the kiosk: send a concern or open a case in place. Nothing is stored and the
   page never navigates, so Back, history and the cache hold nothing of what was typed. */
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("speakup-config").textContent);

  async function post(path, body) {
    const response = await fetch(config.api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...body, lang: config.lang }),
      cache: "no-store",
    });
    return { ok: response.ok, data: await response.json() };
  }

  // Topics: one tap chooses (a second tap on it unchooses); the topic is sent as the concern,
  // with anything typed after it.
  document.querySelectorAll("[data-topic]").forEach((button) => {
    button.addEventListener("click", () => {
      const chosen = button.getAttribute("aria-pressed") !== "true";
      button.form.querySelectorAll("[data-topic]").forEach((b) => b.setAttribute("aria-pressed", "false"));
      button.setAttribute("aria-pressed", String(chosen));
    });
  });
  // The case code's own pad: letters and digits of the code's alphabet, delete and clear.
  document.querySelectorAll("[data-code-pad]").forEach((pad) => {
    const input = pad.closest("form").querySelector("[name=code]");
    pad.addEventListener("click", (event) => {
      const key = event.target.closest("[data-char]");
      if (!key) return;
      const ch = key.dataset.char;
      if (ch === "back") input.value = input.value.slice(0, -1);
      else if (ch === "clear") input.value = "";
      else if (input.value.length < input.maxLength) input.value += ch;
    });
  });

  document.querySelectorAll("[data-speakup-form]").forEach((form) => {
    const section = form.closest("[data-speakup]");
    const result = section.querySelector("[data-result]");
    const error = form.querySelector("[data-error]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const fields = Object.fromEntries(new FormData(form));
      const topic = form.querySelector("[data-topic][aria-pressed=true]");
      if (topic) fields.text = [topic.dataset.topic, fields.text].filter((t) => t && t.trim()).join("\n");
      let answer;
      try {
        answer = await post(form.dataset.speakupForm, fields);
      } catch {
        error.textContent = config.offline;
        return;
      }
      const crisis = section.querySelector("[data-crisis]");
      crisis.hidden = !answer.data.crisis; // 999 and the crisis line, above all else
      if (!answer.ok) {
        error.textContent = answer.data.error || config.offline;
        return;
      }
      form.reset(); // the words typed leave the screen as soon as they are sent
      form.querySelectorAll("[data-topic]").forEach((b) => b.setAttribute("aria-pressed", "false"));
      form.hidden = true;
      if (form.dataset.speakupForm === "speak-up") {
        section.querySelector("[data-code]").textContent = answer.data.code;
      } else {
        const list = section.querySelector("[data-replies]");
        list.replaceChildren(...answer.data.replies.map((reply) => {
          const item = document.createElement("li");
          item.textContent = reply.text;
          if (reply.new) {
            const tag = document.createElement("strong");
            tag.textContent = ` (${config.new})`;
            item.append(tag);
          }
          return item;
        }));
        section.querySelector("[data-none]").hidden = answer.data.replies.length > 0;
        section.querySelector("[data-added]").hidden = !answer.data.added;
        section.querySelector("[data-closed]").hidden = !answer.data.closed;
      }
      result.hidden = false;
      result.focus();
    });
  });
})();
