"""Fixtures of the catalog tests: the sample registry's catalog, built once per session, and helpers."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from eventbus.catalog import build_catalog
from tests.conftest import REPO

NODE_MODULES = REPO / "node_modules"
# screenshots and page dumps of the browser tests: outside the work tree unless asked for
ARTIFACTS = Path(os.environ.get("EVENTBUS_TEST_ARTIFACTS") or (Path(tempfile.gettempdir()) / "eventbus-test-artifacts"))


def require_tool(path: Path, what: str, how: str):
    """Skip when a test tool is missing, except in CI (CI=true) where that is a failure."""
    if path.exists():
        return path
    message = f"{what} not found at {path}: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="package", autouse=True)
def _own_cache(tmp_path_factory):
    """The parse cache and the compiled templates of these tests' builds go to a folder of their own (not ~/.cache)."""
    before = os.environ.get("EVENTBUS_USER_CACHE")
    os.environ["EVENTBUS_USER_CACHE"] = str(tmp_path_factory.mktemp("eventbus-cache"))
    yield
    if before is None:
        del os.environ["EVENTBUS_USER_CACHE"]
    else:
        os.environ["EVENTBUS_USER_CACHE"] = before


@pytest.fixture(scope="package")
def sample_site(tmp_path_factory, _own_cache) -> Path:
    """The catalog of the repository's sample registry (every stack)."""
    out = tmp_path_factory.mktemp("catalog") / "site"
    build_catalog(str(REPO), str(out), workers=1)
    return out


def asset(site: Path, name: str) -> Path:
    """An asset of the built site by its logical name (``app.js``): the stylesheet, script and search data carry a content hash."""
    stem, ext = name.rsplit(".", 1)
    found = sorted(site.glob(f"assets/{stem}.*.{ext}")) or sorted(site.glob(f"assets/{name}"))
    assert len(found) == 1, (name, found)
    return found[0]


def text_of(html: str) -> str:
    """The text of some HTML (tags dropped, entities decoded): what a reader copies."""
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))


def sample_catalog():
    """The catalog model of the repository's sample registry, every stack (no files written)."""
    from eventbus.catalog.model import build_model
    from eventbus.desired import compute
    from eventbus.load.registry import load_registry
    from eventbus.load.stacks import load_stack, stack_files

    reg = load_registry(str(REPO)).registry
    configs = [load_stack(str(REPO), f[len("Pulumi."):-len(".yaml")]) for f in stack_files(str(REPO))]
    return build_model(reg, [(c, compute(reg, c)) for c in configs])


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (the browser tests' and the served catalog's)."""
    require_tool(CHROMIUM, "Chromium", "apt-get install -y chromium chromium-driver")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_tool(Path("/nonexistent/playwright"), "Playwright for Python", "pip install playwright (no `playwright install` needed)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
