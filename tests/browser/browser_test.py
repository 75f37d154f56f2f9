#!/usr/bin/env python3
"""A real browser through Baton during rolling deploys: every page load completes.

Usage: browser_test.py PATH_TO_BATON

Starts `baton daemon` on loopback (an ephemeral port, a temp BATON_HOME) with a managed service of two
instances of origin.py, opens headless Chromium through chromedriver (Debian's chromium, chromium-driver
and python3-selenium), gets 3 KiB of cookies set, then loads pages while `baton deploy` runs rolling
deploys one after another. Each load must complete whole:
  - the page and its 20 assets (12 scripts, 4 stylesheets, 4 images) arrive, each request carrying the
    six cookies intact (the origin checks every one and says so in what it sends back);
  - a WebSocket to the origin echoes a message and reports the cookies of its handshake intact;
  - the page's form, filled and submitted by the browser, reaches the origin field for field.
Also: every deploy exits 0, loads overlapped the deploys, and pages came from more than one release.
Prints each failure and a closing 'N passed, N failed' line; exits 1 on any failure, 77 (ctest's skip)
when chromium, chromedriver or selenium is not installed.
"""
import hashlib, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
DEPLOYS = 2
MIN_LOADS_DURING_DEPLOYS = 4

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    # Debian's python3-selenium is installed for the system interpreter: use it when another runs this.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("BROWSER_TEST_REEXEC"):
        os.environ["BROWSER_TEST_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("browser_test: SKIPPED: python3-selenium is not installed (scripts/setup.sh installs it)")
    sys.exit(SKIP)

sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "py"))
from origin import IMAGES, SCRIPTS, STYLESHEETS, expected_cookies  # noqa: E402
from baton_harness import DaemonProcess, Tally, free_port  # noqa: E402

tally = Tally()
check = tally.check


def find_browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    return chromium, driver


class Daemon(DaemonProcess):
    def __init__(self, baton, work):
        self.port = free_port()
        config = os.path.join(work, "baton.toml")
        # The system interpreter runs the origin: it needs nothing outside the standard library.
        command = json.dumps([sys.executable, os.path.join(HERE, "origin.py")])
        with open(config, "w") as f:
            f.write(f"""[proxy]
threads = 2

[services.web]
listen = "127.0.0.1:{self.port}"
command = {command}
instances = 2
max_surge = 1
health = "/healthz"
drain_timeout = "5s"
deploy_timeout = "60s"
env = {{ STARTUP_DELAY = "1" }}
""")
        super().__init__(baton, os.path.join(work, "home"), config, os.path.join(work, "daemon.log"))

    def wait_ready(self, deadline_s=30):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end and self.proc.poll() is None:
            p = self.cli("ls", "--json", timeout=10)
            if p.returncode == 0:
                instances = json.loads(p.stdout).get("instances", [])
                if len(instances) == 2 and all(i["healthy"] for i in instances):
                    return True
            time.sleep(0.2)
        return False


class Deploys(threading.Thread):
    """`baton deploy web` DEPLOYS times, one after another, as an operator would."""

    def __init__(self, daemon):
        super().__init__(daemon=True)
        self.daemon_, self.results = daemon, []

    def run(self):
        for i in range(DEPLOYS):
            p = self.daemon_.cli("deploy", "web", "--version", f"v{i + 2}")
            self.results.append((p.returncode, (p.stdout + p.stderr).strip()[-600:]))


def start_browser(chromium, driver, work):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-features=Translate,OptimizationHints,MediaRouter",
                f"--user-data-dir={os.path.join(work, 'profile')}"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(executable_path=driver, log_path=os.path.join(work, "driver.log")),
                               options=options)
    browser.set_page_load_timeout(30)
    browser.set_script_timeout(30)
    return browser


def load_once(browser, base, load):
    """One page load with its assets, WebSocket and form; returns (problems, release that served the page)."""
    problems = []
    browser.get(f"{base}/page?load={load}")
    body = browser.find_element(By.TAG_NAME, "body")
    if body.get_attribute("data-page") != "ok":
        return [f"not the origin's page: {body.text[:200]!r}"], None
    release = body.get_attribute("data-release")
    if body.get_attribute("data-cookies") != "ok":
        problems.append(f"page request cookies: {body.get_attribute('data-cookies')}")
    result = WebDriverWait(browser, 30, poll_frequency=0.05).until(
        lambda b: b.execute_script("return window.pageResult || null"))
    if result["errors"]:
        problems.append(f"assets that failed to load: {result['errors']}")
    scripts = sorted(result["scripts"], key=lambda s: s["i"])
    if [s["i"] for s in scripts] != list(range(SCRIPTS)):
        problems.append(f"scripts run: {[s['i'] for s in scripts]}")
    bad = [f"s{s['i']}: {s['cookies']}" for s in scripts if s["cookies"] != "ok" or s["load"] != str(load)]
    if bad:
        problems.append(f"script requests: {bad}")
    want_sheets = [f"{10 + i}px" for i in range(STYLESHEETS)]
    if result["sheets"] != want_sheets:
        problems.append(f"stylesheet widths {result['sheets']} (cookies intact gives {want_sheets})")
    if result["images"] != [2] * IMAGES:
        problems.append(f"image widths {result['images']} (2 = loaded with the cookies intact)")
    ws = result["ws"]
    if ws["error"] or ws["echo"] != ws["sent"] or ws["cookies"] != "ok":
        problems.append(f"WebSocket: {ws}")
    problems += submit_form(browser, load)
    return problems, release


def submit_form(browser, load):
    text = f"hello from load {load}, ünïcødé & = + %"
    note = "".join(chr(0x41 + (load + i) % 26) for i in range(2000)) + "\nline two: çà & ?"
    browser.find_element(By.ID, "text").send_keys(text)
    # Typing 2 KiB key by key is slow; the value is set as a script would, the browser still encodes the post.
    browser.execute_script("document.getElementById('note').value = arguments[0];", note)
    browser.find_element(By.ID, "send").click()
    pre = WebDriverWait(browser, 30, poll_frequency=0.05).until(
        lambda b: b.find_elements(By.ID, "result") or None)[0]
    got = json.loads(pre.text)
    want_note = note.replace("\n", "\r\n")  # a form submission normalises line breaks to CRLF
    problems = []
    if got["text"] != text or got["load"] != str(load):
        problems.append(f"form fields: got text {got['text']!r} load {got['load']!r}")
    if got["note_sha256"] != hashlib.sha256(want_note.encode()).hexdigest():
        problems.append(f"form note: {got['note_length']} chars arrived, wanted {len(want_note)} (sha256 differs)")
    if got["cookies"] != "ok":
        problems.append(f"form post cookies: {got['cookies']}")
    return problems


def run(browser, daemon):
    base = f"http://127.0.0.1:{daemon.port}"
    browser.get(f"{base}/setup")
    stored = {c["name"]: c["value"] for c in browser.get_cookies()}
    check("browser stored the six cookies (3 KiB)",
          all(stored.get(k) == v for k, v in expected_cookies().items()), f"stored: {sorted(stored)}")
    load, releases, during = 0, set(), 0

    def one_load(phase):
        nonlocal load
        load += 1
        started = time.monotonic()
        try:
            problems, release = load_once(browser, base, load)
        except Exception as e:  # a timeout or a page that is not ours: this load failed
            problems, release = [f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"], None
        releases.add(release)
        check(f"load {load} ({phase}, release {release}, {time.monotonic() - started:.1f} s)", not problems,
              "; ".join(problems))

    one_load("before the deploys")
    deploys = Deploys(daemon)
    deploys.start()
    while deploys.is_alive() and load < 200:
        one_load("during a deploy")
        during += 1
    deploys.join()
    for _ in range(2):
        one_load("after the deploys")
    for i, (rc, output) in enumerate(deploys.results):
        check(f"baton deploy web --version v{i + 2} exits 0", rc == 0, f"exit {rc}: {output}")
    check(f"at least {MIN_LOADS_DURING_DEPLOYS} page loads ran during the deploys", during >= MIN_LOADS_DURING_DEPLOYS,
          f"{during} loads")
    releases.discard(None)
    check("pages came from more than one release", len(releases) > 1, f"releases seen: {sorted(releases)}")
    print(f"{load} page loads, {during} during {DEPLOYS} rolling deploys; releases seen: {sorted(releases)}")


def main():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: browser_test.py PATH_TO_BATON (an executable)")
        sys.exit(2)
    chromium, driver = find_browser()
    if not chromium or not driver:
        print("browser_test: SKIPPED: chromium or chromedriver is not installed "
              "(scripts/setup.sh installs the chromium and chromium-driver packages)")
        sys.exit(SKIP)
    # A ctest timeout sends SIGTERM: stop the daemon and its instances on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(check("finished before SIGTERM", False, "stopped") or 1))
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="baton-browser-")
    daemon = Daemon(os.path.abspath(sys.argv[1]), work)
    browser = None
    try:
        if check("daemon ready with both instances healthy", daemon.wait_ready(),
                 open(daemon.log_path, errors="replace").read()[-2000:]):
            browser = start_browser(chromium, driver, work)
            run(browser, daemon)
            check("daemon still running", daemon.proc.poll() is None, f"exit code {daemon.proc.poll()}")
    finally:
        if browser:
            browser.quit()
        daemon.stop()
        if tally.failed:
            kept = tempfile.mktemp(prefix="baton-browser-daemon-", suffix=".log")
            shutil.copy(daemon.log_path, kept)
            print(f"daemon log: {kept}")
        shutil.rmtree(work, ignore_errors=True)
        print(f"took {time.monotonic() - started:.1f} s")
        print(tally.summary())
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
