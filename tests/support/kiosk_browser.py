"""Kiosk pages in Chromium: waiting, storage checks, accessibility."""

from __future__ import annotations

import re
import time

from tests.support.browser import inject_axe
from tests.support.texts import code_in

HOME = "/kiosk/eastfield-depot/"
NUMBER = "07400123456"
E164 = "+447400123456"


# Everything a browser could keep about a person, gathered from inside the page.
EVERYTHING_KEPT = """async () => {
  const kept = {
    dom: document.documentElement.outerHTML, url: location.href, history: history.length,
    local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage),
    cookies: document.cookie, idb: [], caches: [],
  };
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = fail;
    });
    for (const store of db.objectStoreNames) {
      kept.idb.push(JSON.stringify(await new Promise((ok) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => ok(r.result);
      })));
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      kept.caches.push(request.url + "\\n" + await (await cache.match(request)).text());
    }
  }
  return kept;
}"""


def wait_until(tab, script: str, timeout: float = 15.0) -> None:
    """Poll a page expression until it is true (wait_for_function needs eval, which CSP bars)."""
    deadline = time.monotonic() + timeout
    while not tab.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        tab.wait_for_timeout(100)


TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def violations(tab, tags: list[str] = TAGS) -> list[str]:
    """axe's violations on the page as it is shown, one line each."""
    # As shown: once its stylesheets and fonts have loaded. Just after a form's redirect, on a
    # busy machine, a page's text can be there before its stylesheet, and axe then judged the
    # console's menu links unstyled (target-size, CI of 5 December 2026), which no one sees.
    tab.wait_for_load_state("load")
    tab.evaluate("async () => { await document.fonts.ready; }")
    inject_axe(tab)
    found = tab.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '))",
        tags,
    )
    return found


def assert_no_number(tab, number: str = NUMBER) -> dict:
    """Nothing the browser keeps holds the number, in any spacing."""
    kept = tab.evaluate(EVERYTHING_KEPT)
    blob = re.sub(r"[\s•]", "", repr(kept))
    for form in (number[1:], "+44" + number[1:]):
        assert form not in blob, "the number was left behind in the browser"
    return kept


def type_digits(tab, digits: str) -> None:
    """Tap the on-screen pad of the open step, one key at a time."""
    for digit in digits:
        tab.locator(f"[data-step]:visible [data-key='{digit}']").click()


def open_join(tab, slug: str) -> None:
    tab.goto(f"{HOME}?lang=en")
    tab.get_by_role("link", name=re.compile("Networks")).click()
    tab.wait_for_url(f"**{HOME}networks?lang=en")
    tab.locator(f"a[href*='networks/{slug}']").click()
    tab.wait_for_url(f"**networks/{slug}?lang=en")
    tab.get_by_role("button", name="Join with my phone number").click()


def prove_number(tab, live) -> None:
    """Type NUMBER, then the code texted to it, and confirm: the open request is done."""
    type_digits(tab, NUMBER)
    tab.get_by_role("button", name="Send me a code").click()
    tab.get_by_role("heading", name="Type the code we texted you").wait_for()
    type_digits(tab, code_in(live.texts_to(E164)[-1]))
    tab.get_by_role("button", name="Confirm").click()
