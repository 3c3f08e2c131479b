"""The index's lists, written small: a page of 14,342 icons loads them all, so every byte counts
(assets/widget/src/compact.js reads them; tests/test_compact.py holds the two together).

- ids, front-coded into one string, a line each: each line after the first starts with one
  character, ``chr(48 + n)``, saying that its id shares its first ``n`` UTF-16 code units (as
  JavaScript counts a string; characters, but for emoji) with the id before it (n at most
  ``MAX_SHARED``). The ids of the four Material sets: 472 KB as the old list
  of ``{"id": ...}``, 125 KB front-coded (a JSON list of the same strings: 154 KB).
- classes (icons that draw the same pixels share one, in order of their first icon): only the
  groups of two or more icons ("twins"); every other icon is a class of its own.
- families (the classes of one name, in order of their first class): only those of two or more.
"""

from __future__ import annotations

MAX_SHARED = 43  # up to chr(48 + 43), "[": printable, and JSON escapes none of them (it would "\\", 92)


# Shared prefixes are counted in UTF-16 code units, as JavaScript's strings count (an id with an
# emoji: one Python character, two JavaScript ones), and never split a surrogate pair.
def _units(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def front_code(ids: list[str]) -> str:
    out, before = [], b""
    for id_ in ids:
        if "\n" in id_:
            raise ValueError(f"the icon id {id_!r} has a line break in it: rename its file")
        units = _units(id_)
        n, limit = 0, min(len(units), len(before), 2 * MAX_SHARED) // 2
        while n < limit and units[2 * n:2 * n + 2] == before[2 * n:2 * n + 2]:
            n += 1
        if n and 0xD800 <= int.from_bytes(units[2 * n - 2:2 * n], "little") <= 0xDBFF:
            n -= 1  # (a high surrogate: its pair stays whole)
        out.append(chr(48 + n) + units[2 * n:].decode("utf-16-le", "surrogatepass") if out else id_)
        before = units
    return "\n".join(out)


def front_decode(coded: str) -> list[str]:
    ids: list[str] = []
    for n, item in enumerate(coded.split("\n") if coded else []):
        shared = _units(ids[-1])[:2 * (ord(item[0]) - 48)].decode("utf-16-le", "surrogatepass") if n else ""
        ids.append(item if n == 0 else shared + item[1:])
    return ids


def twins(classes: list[list[int]]) -> list[list[int]]:
    """``classes`` as only their groups of two or more; ``classes_of`` gives them back."""
    return _short(classes, classes_of, "the classes are not in order of their first icon")


def classes_of(icons: int, twins: list[list[int]]) -> list[list[int]]:
    group = {members[0]: members for members in twins}
    later = {i for members in twins for i in members[1:]}
    return [group.get(i, [i]) for i in range(icons) if i not in later]


def kin(families: list[list[int]]) -> list[list[int]]:
    """``families`` as only those of two or more classes; ``families_of`` gives them back."""
    return _short(families, families_of, "the families are not in order of their first class")


def families_of(classes: int, kin: list[list[int]]) -> list[list[int]]:
    of = {c: members for members in kin for c in members}
    return [of.get(c, [c]) for c in range(classes) if c not in of or c == min(of[c])]


def _short(groups: list[list[int]], expand, why: str) -> list[list[int]]:
    """The groups of two or more, checked to give ``groups`` back through ``expand``."""
    small = [members for members in groups if len(members) > 1]
    if expand(sum(len(m) for m in groups), small) != groups:
        raise ValueError(f"{why}: they cannot be written short")
    return small
