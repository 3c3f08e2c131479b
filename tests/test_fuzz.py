"""A few hundred mutations of real SVGs through the scan and the sanitizer: nothing raises, every
skipped file is named, and what is kept is still safe markup."""

import random
import re

from model_build.icons import scan_svg_folder
from model_build.sources import Source, scan_sources

from .conftest import ANTD

SEEDS = ["outlined/home", "filled/setting", "twotone/smile", "outlined/github", "filled/alipay-circle"]


def _numbers(data: bytes, rng: random.Random) -> bytes:
    swap = rng.choice([b"NaN", b"1e999", b"-1e40", b"Infinity", b"9" * 400, b"1e-999", b"0x1F", b"--1"])
    return re.sub(rb"\d+(\.\d+)?", lambda m: swap if rng.random() < 0.2 else m.group(0), data)


def _nest(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice([10, 63, 64, 65, 1000, 30_000])
    at = data.find(b">") + 1
    return data[:at] + b"<g>" * n + data[at:-6] + b"</g>" * n + data[-6:]


def _attribute(data: bytes, rng: random.Random) -> bytes:
    big = rng.choice([b"x" * 2_000_000, b"M0 0" + b"l1 1" * 200_000, b"url(#" + b"a" * 10_000 + b")"])
    return data.replace(b"<path ", b'<path fill="' + big + b'" ', 1)


def _encode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    how = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "latin-1-decl", "bogus-decl", "utf-32"])
    if how == "latin-1-decl":
        return ('<?xml version="1.0" encoding="ISO-8859-1"?>' + text.replace("svg ", "svg data-x=\"\xe9\" ", 1)).encode("latin-1")
    if how == "bogus-decl":
        return b'<?xml version="1.0" encoding="no-such-codec"?>' + data
    if how == "utf-16-le":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if how == "utf-16-be":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(how)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(max(1, len(data)))]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data or b" ")
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _splice(data: bytes, rng: random.Random) -> bytes:
    junk = rng.choice([b"<!DOCTYPE svg [<!ENTITY a 'b'>]>", b"<![CDATA[", b"&#0;", b"&lol;", b"<svg>", b"\x00",
                       b"<script>alert(1)</script>", b'<use href="http://x/y#z"/>', b"]]>", b"<?pi x?>", b"<!--"])
    at = rng.randrange(max(1, len(data)))
    return data[:at] + junk + data[at:]


MUTATIONS = [_numbers, _nest, _attribute, _encode, _truncate, _flip, _splice]


def test_mutated_svgs_never_raise_and_every_skip_names_its_file(tmp_path):
    rng = random.Random(17)
    originals = [(ANTD / f"{i}.svg").read_bytes() for i in SEEDS]
    folder = tmp_path / "icons"
    folder.mkdir()
    written = []
    for n in range(420):
        mutate = MUTATIONS[n % len(MUTATIONS)]
        data = mutate(rng.choice(originals), rng)
        if rng.random() < 0.15:  # and a second one on top
            data = rng.choice(MUTATIONS)(data, rng) if data else data
        name = f"{n:03d}-{mutate.__name__.strip('_')}.svg"
        (folder / name).write_bytes(data)
        written.append(name)

    icons, warnings = scan_svg_folder(folder)

    kept = {i.id + ".svg" for i in icons}
    named = {}
    for line in warnings:
        match = re.match(rf"skipped icon {re.escape(str(folder))}/(\S+\.svg): \S", line)
        assert match, line
        named[match.group(1)] = named.get(match.group(1), 0) + 1
    assert all(count == 1 for count in named.values())
    assert set(named) | kept == set(written) and not set(named) & kept
    assert len(kept) > 30 and len(named) > 150  # both sides are exercised
    for icon in icons:
        low = icon.inner.lower()
        assert "<script" not in low and "javascript:" not in low and "http:" not in low, icon.id


def test_mutated_iconify_bodies_never_raise(tmp_path):
    import json

    rng = random.Random(7)
    body = (ANTD / "outlined/home.svg").read_bytes().decode()
    body = body[body.index(">") + 1:body.rindex("</svg>")]
    entries = {}
    for n in range(120):
        data = MUTATIONS[n % len(MUTATIONS)](body.encode(), rng)
        entries[f"i{n}"] = {"body": data.decode("utf-8", "replace"), **({"width": "NaN"} if n % 11 == 0 else {})}
    (tmp_path / "set.json").write_text(json.dumps({"prefix": "x", "icons": entries}))
    icons, warnings = scan_sources([Source("iconify", "set.json")], tmp_path)
    assert len(icons) + len(warnings) == len(entries)
    assert all(re.match(r"skipped icon 'i\d+' of .*set\.json: \S", w) for w in warnings), warnings
