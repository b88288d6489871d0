# conftest.py - fixtures for the integration suite.
#
#   make_stack(settings=..., providers=..., channels=...)  a Stack in the test's own
#       temporary directory (short, so ipc socket paths fit); the test starts the
#       daemons it needs. At teardown every daemon gets SIGTERM and must exit 0; a daemon
#       that crashed or would not stop fails the test. When a test fails, each daemon's
#       log is attached to the report and the directory is kept.
#   http_receiver(respond=..., secret=...)  an HttpReceiver (receivers.py)
#   smtp_receiver                            an SmtpReceiver
#   browser                                  headless Chromium through Selenium
#       (Debian's chromium, chromium-driver, python3-selenium); skipped without them

import shutil
import tempfile

import pytest

from notify_stack import Stack
from receivers import HttpReceiver, SmtpReceiver


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
    if rep.failed and rep.when in ("call", "teardown"):
        for stack in getattr(item, "notify_stacks", []):
            for daemon, text in stack.logs().items():
                rep.sections.append((f"{daemon} log ({stack.dir})", text))


def _failed(node):
    return any(getattr(node, "rep_" + w, None) is not None and getattr(node, "rep_" + w).failed
               for w in ("setup", "call"))


@pytest.fixture
def make_stack(request, http_receiver):
    # Depends on http_receiver so that the daemons stop before the receivers close.
    stacks = []
    request.node.notify_stacks = stacks

    def make(settings=None, providers=None, channels=None):
        workdir = tempfile.mkdtemp(prefix="notify-it-")
        stack = Stack(workdir, settings, providers, channels)
        stacks.append(stack)
        return stack

    yield make
    problems = []
    for stack in stacks:
        problems += stack.stop_all()
    for stack in stacks:
        if _failed(request.node) or problems:
            print(f"kept {stack.dir} for inspection")
        else:
            shutil.rmtree(stack.dir, ignore_errors=True)
    assert not problems, "; ".join(problems)


@pytest.fixture
def vendors():
    """Registers mocks to close after the test (after the daemons stopped: request this
    fixture before make_stack)."""
    made = []

    def keep(mock):
        made.append(mock)
        return mock
    yield keep
    for mock in made:
        mock.close()


@pytest.fixture(scope="module")
def pair():
    """A MariaDB leader and a replica of it (real replication), for the tests of one
    file; skipped without mariadb-server."""
    from mariadb_server import MariaDbServer, replicated_pair
    why = MariaDbServer.missing()
    if why:
        pytest.skip(why)
    leader, replica = replicated_pair()
    yield leader, replica
    replica.stop()
    leader.stop()


@pytest.fixture
def http_receiver():
    made = []

    def make(**kwargs):
        receiver = HttpReceiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def smtp_receiver():
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def browser():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromium-driver are not installed (scripts/install-deps "
                    "installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
