"""Headless Chromium for the page tests: opening windows at desktop, room-screen and
phone size, bounded waits, reading the pages through one script call at a time (no
stale elements), screenshots, and what the browser itself complained about.

Every wait has a timeout; nothing sleeps longer than a poll interval."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from selenium import webdriver
from selenium.common.exceptions import (ElementClickInterceptedException, NoAlertPresentException,
                                        StaleElementReferenceException, TimeoutException, WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("TOWNHALL_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TOWNHALL_CHROMEDRIVER", "/usr/bin/chromedriver")
SHOTS = Path(os.environ.get("TOWNHALL_SCREENSHOTS", str(REPO / "test-artifacts" / "screenshots")))

DESKTOP = (1280, 900)
ROOM = (1920, 1080)
# A common phone: CSS pixels, drawn at twice the density like the real thing.
PHONE = (390, 844)
SMALL_PHONE = (360, 740)

XSS = "<img src=x onerror=alert(1)>"

# What a page may log while its server is away (the reconnect test kills it on purpose).
EXPECTED_WHILE_DOWN = ("WebSocket connection to", "ERR_CONNECTION_REFUSED", "net::ERR_")


def _options(width: int, height: int) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--force-color-profile=srgb", "--lang=en-US",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


class Page:
    """One browser window showing one of the three pages."""

    def __init__(self, driver: webdriver.Chrome, label: str, size: tuple[int, int], phone: bool):
        self.driver = driver
        self.label = label
        self.size = size
        self.phone = phone
        self._log: list[dict] = []

    # ------------------------------------------------------------- navigation
    def open(self, base_url: str, path: str, token: Optional[str]) -> "Page":
        self.driver.get(f"{base_url}{path}" + (f"#token={token}" if token else ""))
        return self

    def js(self, script: str, *args) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, condition: Callable[["Page"], Any], message: str = "", timeout: float = 10.0) -> Any:
        """Polls `condition(page)` until it is truthy; fails with `message` and what the
        page shows. Stale elements (a row re-rendered under us) just mean "poll again"."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(StaleElementReferenceException,)) \
                .until(lambda _d: condition(self))
        except TimeoutException:
            raise AssertionError(f"[{self.label}] {message or 'condition not met'} within {timeout}s; "
                                 f"connection: {self.conn_state()!r}; page text:\n{self.body_text()[:1500]}") \
                from None

    # ------------------------------------------------------------------ reads
    def el(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        """The rendered text of the first match ('' when there is none or it is hidden)."""
        return self.js("const n = document.querySelector(arguments[0]); return n ? n.innerText : '';", css)

    def value(self, css: str) -> str:
        return self.js("const n = document.querySelector(arguments[0]); return n ? n.value : null;", css)

    def visible(self, css: str) -> bool:
        return bool(self.js(
            "const n = document.querySelector(arguments[0]);"
            "return !!n && n.getClientRects().length > 0 && getComputedStyle(n).visibility !== 'hidden';", css))

    def body_text(self) -> str:
        try:
            return self.js("return document.body ? document.body.innerText : ''") or ""
        except WebDriverException:
            return ""

    def conn_state(self) -> Optional[str]:
        try:
            return self.js("const n = document.getElementById('conn-state'); return n && n.dataset.state;")
        except WebDriverException:
            return None

    def ids(self, list_css: str) -> list[str]:
        """Post ids of the rows of a list, in the order shown."""
        return self.js("return [...document.querySelectorAll(arguments[0] + ' > [data-post-id]')]"
                       ".map(n => n.dataset.postId);", list_css)

    def row_text(self, post_id: str) -> Optional[str]:
        return self.js("const r = document.querySelector(`[data-post-id=\"${arguments[0]}\"] .post-text`);"
                       "return r ? r.textContent : null;", post_id)

    def row(self, post_id: str, within: str = "") -> WebElement:
        return self.el(f'{within} [data-post-id="{post_id}"]'.strip())

    def focused(self) -> dict:
        """What has keyboard focus: tag, id, classes, text, and whether a focus ring shows."""
        return self.js("""
            const n = document.activeElement;
            if (!n || n === document.body) return {tag: 'body'};
            const s = getComputedStyle(n);
            return {tag: n.tagName.toLowerCase(), id: n.id, cls: n.className, text: n.innerText || n.value || '',
                    label: n.getAttribute('aria-label') || '', ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
        """)

    # ----------------------------------------------------------------- waits
    def connected(self, timeout: float = 15.0) -> "Page":
        self.wait(lambda p: p.conn_state() == "connected", "the page did not connect", timeout)
        return self

    def shows_row(self, post_id: str, timeout: float = 10.0) -> None:
        self.wait(lambda p: p.row_text(post_id) is not None, f"post {post_id} did not appear", timeout)

    # ---------------------------------------------------------- acting
    def settle(self, timeout: float = 3.0) -> None:
        """Waits until no row is gliding (a click must land on what the user aimed at)."""
        self.wait(lambda p: p.js("return document.getAnimations().every(a => a.playState !== 'running');"),
                  "animations did not finish", timeout)

    def click(self, css: str, timeout: float = 5.0) -> None:
        """Clicks what `css` names once it stands still: a row that is still gliding, or a
        page that is still settling after an update, would take the click somewhere else."""
        last = {"rect": None}

        def still(p: "Page") -> bool:
            rect = p.js("const n = document.querySelector(arguments[0]); if (!n) return null;"
                        "n.scrollIntoView({block: 'center'}); const r = n.getBoundingClientRect();"
                        "return document.getAnimations().some(a => a.playState === 'running') ? null"
                        " : [r.top, r.left, r.width, r.height];", css)
            steady = rect is not None and rect == last["rect"]
            last["rect"] = rect
            return steady

        for attempt in range(3):
            self.wait(still, f"{css} did not stand still", timeout)
            try:
                self.el(css).click()
                return
            except ElementClickInterceptedException:
                if attempt == 2:
                    raise

    def click_in_row(self, post_id: str, css: str) -> None:
        self.click(f'[data-post-id="{post_id}"] {css}')

    # ------------------------------------------------------------ typing
    def type_into(self, css: str, text: str, clear: bool = True) -> None:
        field = self.el(css)
        if clear:
            field.clear()
        if len(text) > 200:
            # send_keys types one key at a time; set long text at once and tell the page.
            self.js("arguments[0].value = arguments[1];"
                    "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", field, text)
        else:
            field.send_keys(text)

    # ------------------------------------------------------ browser's own view
    def console(self) -> list[dict]:
        """Everything the page logged so far (kept across calls)."""
        try:
            self._log.extend(self.driver.get_log("browser"))
        except WebDriverException:
            pass
        return self._log

    def console_errors(self, allow: tuple[str, ...] = ()) -> list[str]:
        return [e["message"] for e in self.console()
                if e.get("level") == "SEVERE" and not any(a in e["message"] for a in allow)]

    def foreign_requests(self) -> list[str]:
        """Every resource the page fetched from anywhere but its own server."""
        return self.js("""
            const own = location.origin;
            return performance.getEntriesByType('resource').map(e => e.name)
                .filter(u => !u.startsWith(own + '/') && !u.startsWith('ws://' + location.host + '/')
                             && !u.startsWith('wss://' + location.host + '/'));
        """)

    def alert_text(self) -> Optional[str]:
        try:
            return self.driver.switch_to.alert.text
        except NoAlertPresentException:
            return None

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the screen (0 = fits)."""
        return self.js("return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);")

    def screenshot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        # Scrolled to the top, no caret blinking into the picture, no glide half way.
        self.js("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();"
                "for (const a of document.getAnimations()) a.finish();")
        self.driver.save_screenshot(str(path))
        return path

    def emulate(self, size: tuple[int, int], phone: bool = False) -> "Page":
        """Shows the same window at another size (a phone: mobile, touch, 2x pixels), so one
        signed-in session can be looked at on a desktop and on a phone."""
        width, height = size
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone})
        self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                                    {"enabled": phone, "maxTouchPoints": 5 if phone else 1})
        self.size, self.phone = size, phone
        self.wait(lambda p: p.js("return innerWidth") == width, f"the window did not become {width} px wide")
        return self

    def full_screenshot(self, name: str) -> Path:
        """The whole page, top to bottom (not only what fits the screen), like screenshot().
        The window is made as tall as the page for the picture (Chromium's own "beyond the
        viewport" capture leaves translucent controls below the fold blank), then restored."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.js("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();"
                "for (const a of document.getAnimations()) a.finish();")
        width, height = self.size
        full = max(height, self.js("return Math.ceil(document.documentElement.scrollHeight)"))
        metrics = {"width": width, "deviceScaleFactor": 2 if self.phone else 1, "mobile": self.phone}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", dict(metrics, height=full))
        try:
            self.wait(lambda p: p.js("return innerHeight") == full, "the window did not grow to the page's height")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
            path.write_bytes(base64.b64decode(shot["data"]))
        finally:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", dict(metrics, height=height))
        return path


class Browsers:
    """Opens windows on demand; `close()` quits them all."""

    def __init__(self):
        self.pages: list[Page] = []

    def open(self, label: str, size: tuple[int, int] = DESKTOP, phone: bool = False) -> Page:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=_options(*size))
        driver.set_page_load_timeout(20)
        driver.set_script_timeout(10)
        # A window cannot be narrower than ~500 px and loses height to its frame: emulate
        # the exact viewport (a phone as a mobile device: meta viewport, touch, 2x pixels).
        width, height = size
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone})
        if phone:
            driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        page = Page(driver, label, size, phone)
        self.pages.append(page)
        return page

    def close(self) -> None:
        for page in self.pages:
            try:
                page.driver.quit()
            except WebDriverException:
                pass
        self.pages = []


@pytest.fixture
def browsers(request):
    """Headless Chromium windows for one test, all closed afterwards. When the test failed,
    each window's last picture is kept under SHOTS/failed/ to see what the user would have."""
    failed_before = request.session.testsfailed
    opened = Browsers()
    yield opened
    if request.session.testsfailed > failed_before:
        folder = SHOTS / "failed"
        folder.mkdir(parents=True, exist_ok=True)
        for page in opened.pages:
            try:
                page.driver.save_screenshot(str(folder / f"{request.node.name}-{page.label}.png"))
            except WebDriverException:
                pass
    opened.close()


# Every piece of visible text on the page whose contrast with what is behind it is below
# WCAG AA (4.5:1, or 3:1 for large text). Colours are composited: semi-transparent
# backgrounds over their ancestors', and the text over that, with the elements' opacity.
LOW_CONTRAST = """
const parse = (c) => { const m = (c.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
                       return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const over = (top, under) => { const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const background = (node) => {
  const layers = [];
  for (let n = node; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255, 1];
  if (getComputedStyle(document.documentElement).colorScheme === 'dark') bg = [0, 0, 0, 1];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  return bg;
};
const out = [];
for (const node of document.querySelectorAll('body *')) {
  if (!node.getClientRects().length || node.closest('[hidden], .sr-only, [aria-hidden="true"]')) continue;
  if (node.disabled || node.closest(':disabled, [aria-disabled="true"]')) continue;
  const own = [...node.childNodes].filter(t => t.nodeType === 3).map(t => t.textContent).join('').trim();
  if (!own) continue;
  const s = getComputedStyle(node);
  if (s.visibility === 'hidden') continue;
  let opacity = 1;
  for (let n = node; n; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
  const bg = background(node);
  const fg = parse(s.color);
  const seen = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
  const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
  const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  const r = ratio(seen, bg);
  if (r < need) out.push({text: own.slice(0, 40), where: (node.id ? '#' + node.id : node.className || node.tagName),
                          ratio: Math.round(r * 100) / 100, need});
}
return out;
"""


def low_contrast(page: Page) -> list[dict]:
    """Text on the page a reader may not be able to read (see LOW_CONTRAST)."""
    return page.js(LOW_CONTRAST)


# ---------------------------------------------------------------- the pages' own words

def ids_in(page: Page, list_id: str) -> list[str]:
    return page.ids(f"#{list_id}")


def submit_post(page: Page, text: str, anonymous: bool = False) -> None:
    """Types a question on the employee page and presses Post (does not wait for the ack)."""
    page.type_into("#post-text", text)
    box = page.el("#post-anonymous")
    if box.is_selected() != anonymous:
        box.click()
    page.click("#post-submit")


def post_and_wait(page: Page, text: str, anonymous: bool = False) -> None:
    """Posts and waits for the server's ack (the composer empties)."""
    submit_post(page, text, anonymous)
    page.wait(lambda p: p.value("#post-text") == "" and p.text("#post-error") == "",
              f"the post {text[:30]!r} was not acknowledged")


def pressed(page: Page, post_id: str, which: str) -> bool:
    """Whether the user's own vote shows on a row (which: 'up' or 'down')."""
    return page.js("const b = document.querySelector(`[data-post-id=\"${arguments[0]}\"] .vote-${arguments[1]}`);"
                   "return !!b && b.getAttribute('aria-pressed') === 'true';", post_id, which)


def host_group_of(page: Page, post_id: str) -> Optional[str]:
    """Which group of the host console a post is in (onair, pending, shortlisted, ...)."""
    return page.js("const r = document.querySelector(`#queue-groups [data-post-id=\"${arguments[0]}\"]`);"
                   "const g = r && r.closest('[data-group]'); return g ? g.dataset.group : null;", post_id)


def on_air_text(page: Page) -> str:
    """The question on air as the page shows it ('' when none)."""
    return page.js("const q = document.getElementById('on-air-question');"
                   "if (q) return q.hidden ? '' : document.getElementById('on-air-text').textContent;"
                   "const r = document.querySelector('#group-onair [data-post-id] .post-text');"
                   "return r ? r.textContent : '';")


def live_comments(page: Page) -> list[str]:
    """The live comments shown, oldest first (the room screen lists them newest first)."""
    return page.js("const list = document.getElementById('live-comment-list');"
                   "const texts = [...list.querySelectorAll('.comment-text')].map(n => n.textContent);"
                   "return /newest first/.test(list.getAttribute('aria-label') || '') ? texts.reverse() : texts;")


def clipping(page: Page, css: str) -> list:
    """The element's box and each clipping box around it (to explain an in_view failure)."""
    return page.js("""
        const n = document.querySelector(arguments[0]);
        if (!n) return [];
        const box = (e) => { const r = e.getBoundingClientRect(); return [e.id || e.className || e.tagName, Math.round(r.top), Math.round(r.bottom)]; };
        const out = [box(n), ['viewport', 0, innerHeight]];
        for (let a = n.parentElement; a; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (s.overflow !== 'visible' || s.overflowY !== 'visible') out.push(box(a));
        }
        return out;
    """, css)


def in_view(page: Page, css: str) -> bool:
    """The element is drawn entirely inside the viewport and inside every clipping box around it."""
    return page.js("""
        const n = document.querySelector(arguments[0]);
        if (!n || !n.getClientRects().length) return false;
        const r = n.getBoundingClientRect();
        if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) return false;
        for (let a = n.parentElement; a; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (s.overflow === 'visible' && s.overflowY === 'visible' && s.overflowX === 'visible') continue;
          const c = a.getBoundingClientRect();
          if (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5 || r.left < c.left - 0.5 || r.right > c.right + 0.5) return false;
        }
        return true;
    """, css)

