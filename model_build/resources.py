"""Where the shipped assets live: beside the package in a wheel, at the repo root in a checkout."""

from pathlib import Path


def assets_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets", here.parent / "assets"):
        if (candidate / "sample_page.html.j2").exists():
            return candidate
    raise FileNotFoundError(
        "mkdocs-iconsearch assets not found next to model_build/: reinstall the package"
    )


def widget_bundle_dir() -> Path:
    """The built widget (``npm run build``): iconsearch.js, its CSS and TF.js's wasm files."""
    dist = assets_dir() / "dist"
    if not (dist / "iconsearch.js").exists():
        raise FileNotFoundError(
            f"the widget bundle is missing from {dist}: run `npm ci && npm run build` in the "
            "source tree (the README's set-up does it), or install a released wheel"
        )
    return dist
