"""Icon files that once broke builds (issue 17), made on the fly: each is one user's bad day."""

from pathlib import Path


def deep_nesting(levels: int = 20_000) -> bytes:
    """A generated export: thousands of nested groups around one path."""
    return (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">' + b"<g>" * levels
            + b'<path d="M2 2h20v20H2z"/>' + b"</g>" * levels + b"</svg>")


def huge_path(segments: int = 1_500_000) -> bytes:
    """A traced logo: one path of 1.5 million segments (about 26 MB)."""
    body = "".join(f"L{(k * 7919) % 1000 / 41.7:.3f} {(k * 104729) % 1000 / 41.7:.3f} " for k in range(segments))
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M0 0 {body}z"/></svg>'.encode()


def drawing_inside_a_link() -> bytes:
    """Its only drawing sits inside an element the sanitizer removes."""
    return (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
            b'<a href="javascript:alert(1)"><path d="M2 2h20v20H2z"/></a></svg>')


def giant_dimensions() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 NaN 1e999"><path d="M2 2h20v20H2z"/></svg>'


def invisible_ink() -> bytes:
    """Shapes that draw no pixel: the render check, not the parser, finds it."""
    return (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
            b'<rect width="24" height="24" fill="none"/><path d="M2 2h20v20H2z" opacity="0"/></svg>')


BAD = {  # file name -> (bytes, what its warning must say)
    "deep-nesting.svg": (deep_nesting, "its elements nest more than 64 levels deep"),
    "huge-path.svg": (huge_path, "bytes, over the limit of 1,000,000"),
    "evil-href.svg": (drawing_inside_a_link, "draws nothing (no path or shape); the sanitizer removed <a> with 1 shape inside"),
    "giant-dims.svg": (giant_dimensions, "viewBox '0 0 NaN 1e999' is degenerate"),
}
INVISIBLE = {"invisible.svg": (invisible_ink, "draws no visible pixel")}


def write_bad_icons(folder: Path, cases: dict = BAD) -> dict[str, str]:
    """Writes the cases into ``folder``; returns file name -> expected words of its warning."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in cases.items():
        (folder / name).write_bytes(make())
    return {name: words for name, (_, words) in cases.items()}
