import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from model_build.browser import LAUNCH_ARGS, find_browser

ROOT = Path(__file__).resolve().parents[1]
ANTD = ROOT / "node_modules/@ant-design/icons-svg/inline-svg"
MKDOCS = [sys.executable, "-m", "mkdocs"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches the same Chromium the plugin finds, with the same flags."""
    path = os.environ.get("ICONSEARCH_BROWSER") or find_browser()
    return {**browser_type_launch_args, "executable_path": path, "args": LAUNCH_ARGS}


# An icon file that tries everything: scripts, handlers, javascript: links, external fetches.
# It still draws a shape, so it is a real icon once sanitized.
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 24 24" '
    'onload="window.__pwned=\'onload\'">'
    '<script>window.__pwned = "script"</script>'
    '<foreignObject width="9" height="9"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:parent.__pwned=\'iframe\'"/>'
    '<img xmlns="http://www.w3.org/1999/xhtml" src="http://127.0.0.1:9/beacon-img" onerror="window.__pwned=\'onerror\'"/></foreignObject>'
    '<image href="http://127.0.0.1:9/beacon-image" width="4" height="4"/>'
    '<use xlink:href="http://127.0.0.1:9/beacon-use.svg#a"/>'
    '<a href="javascript:window.__pwned=\'link\'"><path d="M2 2h20v4H2zM2 10h20v4H2z" onclick="window.__pwned=\'click\'"/></a>'
    '<rect x="2" y="18" width="20" height="4" style="fill:url(http://127.0.0.1:9/beacon-css)"/>'
    '<animate attributeName="x" to="0" begin="0s" onbegin="window.__pwned=\'animate\'"/>'
    '</svg>'
)


def antd_icons(dest: Path, ids: list[str]) -> Path:
    """Copy some of Ant Design's real SVGs (installed by set-up from npm) into ``dest``."""
    if not ANTD.is_dir():
        pytest.fail(f"{ANTD} is missing: run scripts/setup (it installs @ant-design/icons-svg)")
    for icon_id in ids:
        target = dest / f"{icon_id}.svg"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ANTD / f"{icon_id}.svg", target)
    return dest


def write_site(root: Path, plugin_options: dict, docs: dict[str, str] | None = None) -> Path:
    import yaml

    (root / "docs").mkdir(parents=True, exist_ok=True)
    for name, text in (docs or {"index.md": "# Test site\n"}).items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text)
    config = {
        "site_name": "Test",
        "theme": {"name": "mkdocs", "highlightjs": False},
        "plugins": ["search", {"iconsearch": plugin_options}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


def mkdocs_build(site: Path, *args: str, python: str | None = None, check: bool = True, cwd: Path | None = None):
    cmd = [python or sys.executable, "-m", "mkdocs", "build", "-f", str(site / "mkdocs.yml"), *args]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or site, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"mkdocs build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def static_server():
    """Serves directories over http://127.0.0.1 (module scripts and fetch need http, not file://)."""
    from model_build.localweb import serve

    servers = []

    def start(directory: Path) -> str:
        origin, server = serve(directory)
        servers.append(server)
        return origin

    yield start
    for server in servers:
        server.shutdown()


def serve_modules(tmp_path_factory, static_server, *sources: str) -> str:
    """An empty page beside copies of the widget's ``sources`` (assets/widget/src), which a
    test imports in Chromium: the URL of its folder."""
    root = tmp_path_factory.mktemp("module")
    for name in sources:
        shutil.copy(ROOT / "assets/widget/src" / name, root / name)
    (root / "index.html").write_text("<!doctype html><body></body>")
    return static_server(root)
