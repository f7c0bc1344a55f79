"""The three pages in a real browser (headless Chromium): posts, votes, on air and live
comments move between them, and user text stays text. Screenshots go to
test-artifacts/screenshots (or $TOWNHALL_SCREENSHOTS)."""

import os
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("TOWNHALL_SCREENSHOTS", str(REPO / "test-artifacts" / "screenshots")))


@pytest.fixture
def browser():
    """Opens headless Chromium windows on demand; closes them all afterwards."""
    drivers = []

    def open_window(width=1280, height=900):
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--window-size={width},{height}"):
            options.add_argument(arg)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(30)
        drivers.append(driver)
        return driver

    yield open_window
    for driver in drivers:
        driver.quit()


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


XSS = "<img src=x onerror=alert(1)> Can we get better coffee?"


def wait(driver, condition, timeout=15, message=""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def connected(driver):
    wait(driver, lambda d: d.find_element(By.ID, "conn-state").get_attribute("data-state") == "connected",
         message="page did not connect")


def row(driver, post_id):
    found = driver.find_elements(By.CSS_SELECTOR, f'[data-post-id="{post_id}"]')
    return found[0] if found else None


def row_text(driver, post_id):
    r = row(driver, post_id)
    return r.find_element(By.CSS_SELECTOR, ".post-text").text if r else None


def test_pages_share_posts_votes_on_air_and_comments(make_server, browser, shots):
    server = make_server()
    alice = browser()
    bob = browser()
    host = browser()
    screen = browser(1920, 1080)

    alice.get(f"{server.url}/#token={server.token('alice', name='Alice', office='Dublin')}")
    bob.get(f"{server.url}/#token={server.token('bob', name='Bob', office='Berlin')}")
    host.get(f"{server.url}/host#token={server.token('hana', name='Hana', office='Austin', role='host')}")
    screen.get(f"{server.url}/screen#token={server.token('room', name='Room 4', office='Dublin')}")
    for driver in (alice, bob, host, screen):
        connected(driver)
        assert "#token=" not in driver.current_url, "the token must leave the address bar"

    # Alice posts; it shows, as text, on Bob's page and the host console.
    alice.find_element(By.ID, "post-text").send_keys(XSS)
    alice.find_element(By.ID, "post-submit").click()
    for driver in (alice, bob, host):
        wait(driver, lambda d: row_text(d, "p1") == XSS, message="post did not appear as text")
        assert not driver.find_elements(By.CSS_SELECTOR, "[data-post-id] img")
    alice.find_element(By.ID, "post-text").send_keys("Second question: remote Fridays?")
    alice.find_element(By.ID, "post-submit").click()
    wait(bob, lambda d: row(d, "p2") is not None)

    # Bob votes the second one up: it moves to the top everywhere.
    row(bob, "p2").find_element(By.CSS_SELECTOR, ".vote-up").click()
    for driver in (alice, bob):
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#post-list [data-post-id]")[0]
             .get_attribute("data-post-id") == "p2", message="votes did not reorder the list")
    wait(bob, lambda d: row(d, "p2").find_element(By.CSS_SELECTOR, ".vote-up").get_attribute("aria-pressed") == "true")

    # The host puts the first post on air: every page shows it.
    row(host, "p1").find_element(By.CSS_SELECTOR, ".act-onair").click()
    for driver in (alice, bob, screen):
        wait(driver, lambda d: XSS in d.find_element(By.ID, "on-air").text, message="on-air not shown")

    # A live comment reaches the room screen.
    alice.find_element(By.ID, "live-comment-text").send_keys("Hello from Dublin!")
    alice.find_element(By.ID, "live-comment-submit").click()
    wait(screen, lambda d: "Hello from Dublin!" in d.find_element(By.ID, "live-comments").text)

    for driver in (alice, bob, host, screen):
        try:
            driver.switch_to.alert
            raise AssertionError("a script ran from user text")
        except NoAlertPresentException:
            pass
    alice.save_screenshot(str(shots / "employee-desktop.png"))
    host.save_screenshot(str(shots / "host-desktop.png"))
    screen.save_screenshot(str(shots / "screen-desktop.png"))
    phone = browser(390, 844)
    phone.get(f"{server.url}/#token={server.token('carol', name='Carol', office='Tokyo')}")
    connected(phone)
    wait(phone, lambda d: row(d, "p1") is not None)
    phone.save_screenshot(str(shots / "employee-phone.png"))
