"""The walker app's shell: a current precache list, within the 50 KB budget, complete, installable."""
import importlib.util
import json
import re
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PWA = ROOT / "pwa"
BUDGET = 50 * 1024
spec = importlib.util.spec_from_file_location("build_precache", ROOT / "scripts" / "build_precache.py")
build_precache = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_precache)


def precache_list():
    """Return [(path, hash)] as written in pwa/sw.js."""
    text = (PWA / "sw.js").read_text(encoding="utf-8")
    return re.findall(r'\["([^"]+)", "([0-9a-f]+)"\]', build_precache.BLOCK.search(text).group(0))


def test_precache_list_matches_the_files():
    """The service worker's list names every shell file with its current hash, so a phone never mixes versions."""
    assert precache_list() == build_precache.entries()
    assert (PWA / "sw.js").read_text(encoding="utf-8") == build_precache.BLOCK.sub(
        lambda _: build_precache.render(build_precache.entries()), (PWA / "sw.js").read_text(encoding="utf-8"))


def test_app_shell_is_at_most_50_kb_gzip():
    """Everything needed to open a station and answer fits in 50 KB gzip, so the first visit is quick on a slow network.

    Modules the app loads only afterwards, by dynamic import (the photo cards), are precached too but not counted.
    """
    sizes = build_precache.gzip_sizes()
    assert set(sizes) == {path for path, _ in precache_list()}
    later = {p.relative_to(PWA).as_posix() for p in imported_modules(PWA / "js" / "app.js")} - \
        {p.relative_to(PWA).as_posix() for p in imported_modules(PWA / "js" / "app.js", static_only=True)}
    assert "js/ui/photos.js" in later
    first = {path: size for path, size in sizes.items() if path not in later}
    total = sum(first.values())
    assert total <= BUDGET, f"{total} bytes gzip: {sorted(first.items(), key=lambda kv: -kv[1])[:5]}"


def imported_modules(path, seen=None, static_only=False):
    """Return every module reachable from a module by static (and, unless static_only, dynamic) relative import."""
    seen = set() if seen is None else seen
    text = path.read_text(encoding="utf-8")
    pattern = r'(?:from|import)\s*"(\.{1,2}/[^"]+\.js)"' if static_only else \
        r'(?:from|import)\s*\(?\s*"(\.{1,2}/[^"]+\.js)"'
    for target in re.findall(pattern, text):
        module = (path.parent / target).resolve()
        if module not in seen:
            seen.add(module)
            imported_modules(module, seen, static_only)
    return seen


def test_shell_holds_everything_the_page_loads():
    """Every file index.html and its modules load is precached, so nothing is missing offline."""
    listed = {path for path, _ in precache_list()}
    html = (PWA / "index.html").read_text(encoding="utf-8")
    referenced = set(re.findall(r'(?:href|src)="([^"#:]+)"', html)) - {"./", "/"}
    modules = {p.relative_to(PWA).as_posix() for p in imported_modules(PWA / "js" / "app.js")}
    assert "js/ui/station.js" in modules and "js/store.js" in modules
    assert referenced | modules <= listed, (referenced | modules) - listed


def test_manifest_makes_the_app_installable():
    """The manifest opens the app standalone with 192 and 512 px icons, plain and maskable."""
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["display"] == "standalone" and manifest["start_url"] == "./"
    found = set()
    for icon in manifest["icons"]:
        with Image.open(PWA / icon["src"]) as image:
            width, height = image.size
        assert icon["sizes"] == f"{width}x{height}"
        found.add((width, icon["purpose"]))
    assert found == {(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")}


def test_every_walk_link_gets_the_shell(client):
    """Station and walk links, with or without a known walk, all serve the app shell, never cached stale."""
    shell = (PWA / "index.html").read_bytes()
    for path in ("/", "/w/prague-7", "/w/prague-7/P7-3", "/w/never-heard-of/XX-1"):
        with client.get(path) as response:
            assert response.status_code == 200 and response.data == shell, path
            assert response.headers["Cache-Control"] == "no-cache"
    with client.get("/sw.js") as worker:
        assert worker.headers["Cache-Control"] == "no-cache" and worker.mimetype == "text/javascript"
    with client.get("/manifest.webmanifest") as manifest:
        assert manifest.mimetype == "application/manifest+json"
    with client.get("/README.md") as readme:
        assert readme.status_code == 404
