/* The kiosk's on-screen keyboard, in the screen's language, for every [data-keyboard-for] box.
   A shared kiosk has no physical keyboard and a touch screen's own keyboard may not open (or
   may offer only English): simple-keyboard (bundled in keyboard.js) draws the keys, with the
   layouts simple-keyboard-layouts has for our languages and the two it lacks made here. */
"use strict";

(function () {
  const SK = window.SimpleKeyboard;
  if (!SK) return;

  // Keys a concern never needs: a web-address key, and the tab and spacer keys some layouts carry.
  const DROP = new Set([".com", "{tab}", "{//}"]);

  function trimmed(layout) {
    const rows = {};
    for (const [name, lines] of Object.entries(layout.layout)) {
      rows[name] = lines
        .map((line) => line.split(" ").filter((key) => key && !DROP.has(key)).join(" "))
        .filter((line) => line);
    }
    return rows;
  }

  // Romanian (SR 13392:2004, the standard layout): QWERTY with ă î ș ț â where US English has
  // [ ] ; ' and the backslash.
  const ROMANIAN = {
    layout: {
      default: [
        "„ 1 2 3 4 5 6 7 8 9 0 - = {bksp}",
        "q w e r t y u i o p ă î â",
        "{lock} a s d f g h j k l ș ț {enter}",
        "{shift} z x c v b n m , . / {shift}",
        "@ {space}",
      ],
      shift: [
        "” ! @ # $ % ^ & * ( ) _ + {bksp}",
        "Q W E R T Y U I O P Ă Î Â",
        "{lock} A S D F G H J K L Ș Ț {enter}",
        "{shift} Z X C V B N M ; : ? {shift}",
        "@ {space}",
      ],
    },
  };

  // Gujarati InScript has Hindi InScript's keys, each with the letter at the same place in
  // Unicode's Gujarati block, 0x180 after Devanagari's (both blocks follow ISCII). A Devanagari
  // letter Gujarati does not have maps to an unassigned point, and its key is left out.
  function gujarati(hindi) {
    const shift = (ch) => {
      const code = ch.codePointAt(0);
      return code >= 0x0900 && code <= 0x097f && code !== 0x0964 && code !== 0x0965
        ? String.fromCodePoint(code + 0x180)
        : ch;
    };
    const layout = {};
    for (const [name, lines] of Object.entries(hindi.layout)) {
      layout[name] = lines.map((line) =>
        line
          .split(" ")
          .map((key) => (key.startsWith("{") ? key : Array.from(key, shift).join("")))
          .filter((key) => key.startsWith("{") || !/\p{Script=Unknown}/u.test(key))
          .join(" ")
      );
    }
    return { layout };
  }

  const LAYOUTS = {
    en: SK.english,
    so: SK.english, // Somali is written in the Latin alphabet, with no letters English lacks
    pl: SK.polish,
    ro: ROMANIAN,
    ur: SK.urdu,
    pa: SK.punjabi,
    gu: gujarati(SK.hindi),
  };

  document.querySelectorAll("[data-keyboard-for]").forEach((holder) => {
    const box = document.getElementById(holder.dataset.keyboardFor);
    const layout = LAYOUTS[box.lang] || SK.english;
    let locked = false;
    const keyboard = new SK.Keyboard(holder, {
      layout: trimmed(layout),
      layoutName: "default",
      newLineOnEnter: true,
      tabCharOnTab: false,
      maxLength: box.maxLength > 0 ? box.maxLength : undefined,
      display: { "{bksp}": "⌫", "{enter}": "↵", "{shift}": "⇧", "{lock}": "⇪", "{space}": " " },
      onChange: (input) => {
        box.value = input;
      },
      onKeyPress: (button) => {
        const shown = keyboard.options.layoutName;
        if (button === "{lock}") {
          locked = !locked;
          keyboard.setOptions({ layoutName: locked ? "shift" : "default" });
        } else if (button === "{shift}") {
          keyboard.setOptions({ layoutName: shown === "default" ? "shift" : "default" });
        } else if (shown === "shift" && !locked) {
          keyboard.setOptions({ layoutName: "default" }); // shift gives one key, as on a phone
        }
      },
    });
    // Typing on a real keyboard, or the box being emptied once sent, keeps the two in step.
    box.addEventListener("input", () => keyboard.setInput(box.value));
    box.form.addEventListener("reset", () => keyboard.clearInput());
  });
})();
