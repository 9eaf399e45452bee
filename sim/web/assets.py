"""Offline assets: every script, style sheet and font the page loads is served here.

Solara's page asks its server for its JavaScript and CSS under `/_solara/cdn/`;
the server answers from a cache folder and, on a miss, downloads the file from a
public CDN. Classrooms may have no internet, so `forcegen serve`:

- points the cache at the files the `solara-assets` package installs (the whole
  bundle solara 1.58 asks for: the Vuetify app, require.js, Font Awesome, ...),
  and refuses to start, with one line, when they are missing;
- sets the CDN a miss would be fetched from to a closed port on this machine
  (`127.0.0.1:9`), so that a file missing from the bundle fails here at once
  instead of reaching out to the internet;
- runs solara in production mode (no check-in frame to solara.dev) and turns
  its usage telemetry off.

The widgets' own scripts (ipywidgets, ipyvue, ipyvuetify) come from their
Python packages' `share/jupyter/nbextensions`, which solara serves itself.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

CLOSED = "http://127.0.0.1:9/"
"""Where a cache miss would be fetched from: the discard port on this machine, closed."""

REQUIRED = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
)
"""Files the page loads from `/_solara/cdn/` (solara 1.58 with ipywidgets 8)."""

MISSING = (
    "the web page's offline assets are missing (the solara-assets package): "
    "install the web extra, pip install 'forcegen[web]'"
)


class AssetsError(RuntimeError):
    """The offline bundle is not installed: the page would need the internet."""


def cdn_dir() -> Path:
    """The folder of the offline bundle (`share/solara/cdn` of solara-assets)."""
    try:
        dist = metadata.distribution("solara-assets")
    except metadata.PackageNotFoundError:
        raise AssetsError(MISSING) from None
    for f in dist.files or ():
        text = str(f).replace("\\", "/")
        if "share/solara/cdn/" in text:
            full = Path(str(dist.locate_file(f))).resolve()
            cut = str(full).replace("\\", "/").index("share/solara/cdn/") + len("share/solara/cdn")
            return Path(str(full)[:cut])
    raise AssetsError(MISSING)


def check(folder: Path) -> None:
    """Refuse a bundle that lacks a file the page loads."""
    absent = [name for name in REQUIRED if not (folder / name).is_file()]
    if absent:
        raise AssetsError(f"{MISSING} ({absent[0]} is not in {folder})")


def environment() -> dict[str, str]:
    """The SOLARA_* settings that keep the page offline (set before solara is imported)."""
    folder = cdn_dir()
    check(folder)
    return {
        "SOLARA_ASSETS_PROXY": "True",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(folder),
        "SOLARA_ASSETS_CDN": CLOSED,
        "SOLARA_MODE": "production",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_LOADER": "plain",
    }


def apply() -> None:
    """Set the offline settings in this process's environment."""
    os.environ.update(environment())
