"""The index's lists written small (model_build/compact.py) and read back by the widget
(assets/widget/src/compact.js, in real Chromium): the same ids, classes and families."""

import json

import pytest

from model_build import compact

from .conftest import serve_modules

IDS = ["material-account", "material-account-alert", "material-account-alert-outline", "material-abacus",
       "fontawesome-brands-github", "x", "x", "xy", "", "octicons-" + "a" * 60 + "-16", "octicons-" + "a" * 60 + "-24",
       "filled/ünïcode", "outlined/\\back\"slash", "z", "emoji/\U0001F600-a", "emoji/\U0001F600-b",
       "emoji/\U0001F601", "emoji/\U0001F600\U0001F600", "emoji/\U0001F600\U0001F601"]  # (UTF-16 pairs in JavaScript)
TWINS = [[2, 7], [4, 5, 9]]  # classes in order of their first icon
CLASSES = compact.classes_of(len(IDS), TWINS)
FAMILIES = [[0, 2], [1], [3, 5, 4], [6], [7], [8, 9]]  # in order of their first class; not sorted inside


@pytest.fixture(scope="module")
def compact_page(tmp_path_factory, static_server):
    return serve_modules(tmp_path_factory, static_server, "compact.js")


def test_lists_come_back_as_they_were_written():
    coded = compact.front_code(IDS)
    assert compact.front_decode(coded) == IDS and len(coded) < len("\n".join(IDS)) - 60
    counts = [line[0] for line in coded.split("\n")[1:]]
    assert all("0" <= c <= "[" for c in counts) and "[" in counts  # printable, no escape in JSON; capped
    assert CLASSES == [[0], [1], [2, 7], [3], [4, 5, 9], [6], [8], *([i] for i in range(10, len(IDS)))]
    assert compact.classes_of(len(IDS), compact.twins(CLASSES)) == CLASSES
    assert compact.families_of(len(FAMILIES) + 4, compact.kin(FAMILIES)) == FAMILIES
    assert compact.front_decode("") == [] and compact.front_code([]) == ""


def test_lists_that_cannot_be_written_small_are_refused():
    with pytest.raises(ValueError, match="first icon"):
        compact.twins([[1], [0]])
    with pytest.raises(ValueError, match="first class"):
        compact.kin([[1, 2], [0]])
    with pytest.raises(ValueError, match="line break.*rename its file"):
        compact.front_code(["a", "b\nc"])


def test_the_widget_reads_what_python_writes(page, compact_page):
    page.goto(compact_page + "/index.html")
    index = json.loads(json.dumps({"ids": compact.front_code(IDS), "twins": compact.twins(CLASSES),
                                   "kin": compact.kin(FAMILIES)}, ensure_ascii=False))
    got = page.evaluate("""async (index) => {
        const { frontDecode, classesOf, familiesOf } = await import('./compact.js');
        const ids = frontDecode(index.ids);
        const classes = classesOf(ids.length, index.twins);
        return [ids, classes, familiesOf(classes.length, index.kin), frontDecode('')];
    }""", index)
    assert got == [IDS, CLASSES, compact.families_of(len(CLASSES), compact.kin(FAMILIES)), []]
