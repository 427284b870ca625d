"""Checks of the ``successions`` table against the organisations it links (schema 1.1).

Field checks, record checks (no self-reference) and reference checks (both ids name
organisations) are the generic ones; this module adds what needs the other records:

- a succession's ``date`` is not certainly before its predecessor's ``founded``
  (``date-order-error``);
- no organisation is its own predecessor through ``renamed`` and ``merged-into`` links
  (``succession-cycle``, on every link of the cycle).

Like the other table and cross-table checks they have one form, run on both validation
paths; cycles are looked for in the table alone (so also when one file is validated).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from dataset_tools.reading.tables import TableFile
from dataset_tools.schema.dates import PartialDate, PartialDateError
from dataset_tools.schema.vocab import SuccessionKind
from dataset_tools.validation.problems import Problem

CYCLE_KINDS = (SuccessionKind.RENAMED.value, SuccessionKind.MERGED_INTO.value)
"""Kinds whose links may not form a cycle: after them the predecessor no longer exists on its own."""


def cycle_checks(files: dict[str, TableFile]) -> Iterator[Problem]:
    """Renamed and merged-into links that lead back to where they started (the table alone suffices)."""
    tf = files.get("successions")
    if tf is not None and {"predecessor_id", "successor_id"} <= set(tf.data.column_names):
        yield from _cycles(tf)


def founding_checks(files: dict[str, TableFile]) -> Iterator[Problem]:
    """Successions dated certainly before their predecessor was founded (needs the organisations)."""
    tf = files.get("successions")
    if tf is not None and "predecessor_id" in tf.data.column_names:
        yield from _before_founding(tf, files.get("organisations"))


def _column(tf: TableFile, name: str) -> list[str]:
    return tf.data.column(name).to_pylist() if name in tf.data.column_names else [""] * tf.data.num_rows


def _date(text: str) -> PartialDate | None:
    try:
        return PartialDate.parse(text) if text else None
    except PartialDateError:
        return None  # a date that is not one is a type-error of its own field


def _before_founding(tf: TableFile, orgs: TableFile | None) -> Iterator[Problem]:
    if orgs is None or not {"id", "founded"} <= set(orgs.data.column_names):
        return
    founded: dict[str, str] = {}
    for org, text in zip(_column(orgs, "id"), _column(orgs, "founded"), strict=True):
        founded.setdefault(org, text)
    lines = tf.lines_for("date")
    for row, (predecessor, text) in enumerate(zip(_column(tf, "predecessor_id"), _column(tf, "date"), strict=True)):
        date, start = _date(text), _date(founded.get(predecessor, ""))
        if date is None or start is None or not date.certainly_before(start):
            continue
        yield Problem(
            "date-order-error",
            tf.file,
            int(lines[row]),
            f"date {text} is before `{predecessor}` was founded ({founded[predecessor]}, in {orgs.file})",
            "date",
            text,
            f"an organisation is succeeded only once it exists: check this date and the founded date of "
            f"`{predecessor}` against their sources",
        )


def _cycles(tf: TableFile) -> Iterator[Problem]:
    """Each renamed or merged-into link that lies on a cycle, with the shortest cycle through it."""
    links = [
        (row, predecessor, successor, kind)
        for row, (predecessor, successor, kind) in enumerate(
            zip(_column(tf, "predecessor_id"), _column(tf, "successor_id"), _column(tf, "kind"), strict=True)
        )
        if kind in CYCLE_KINDS and predecessor and successor and predecessor != successor  # itself: a self-reference
    ]
    after: dict[str, set[str]] = {}
    for _, predecessor, successor, _ in links:
        after.setdefault(predecessor, set()).add(successor)
    component = _components(after)
    lines = tf.lines_for("successor_id")
    for row, predecessor, successor, kind in links:
        if component[predecessor] != component[successor]:
            continue
        path = " → ".join(f"`{org}`" for org in [predecessor, *_path(after, successor, predecessor)])
        yield Problem(
            "succession-cycle",
            tf.file,
            int(lines[row]),
            f"this {kind} link closes a cycle, {path}: an organisation cannot be its own predecessor",
            "successor_id",
            successor,
            "check which organisation came first (predecessor_id is the one before the change), "
            "or record the link with another kind",
        )


def _components(after: dict[str, set[str]]) -> dict[str, str]:
    """The strongly connected component of every organisation, named by one of its members (Kosaraju)."""
    before: dict[str, set[str]] = {}
    for node, nexts in after.items():
        for step in nexts:
            before.setdefault(step, set()).add(node)
    component: dict[str, str] = {}
    for node in reversed(_finishing_order(after)):
        if node in component:
            continue
        component[node] = node
        stack = [node]
        while stack:
            for step in before.get(stack.pop(), ()):
                if step not in component:
                    component[step] = node
                    stack.append(step)
    return component


def _finishing_order(after: dict[str, set[str]]) -> list[str]:
    """Every node, in the order a depth-first search finishes with it (without recursion)."""
    seen: set[str] = set()
    order: list[str] = []
    for root in sorted(after):
        if root in seen:
            continue
        seen.add(root)
        work = [(root, iter(sorted(after[root])))]
        while work:
            node, nexts = work[-1]
            step = next((other for other in nexts if other not in seen), None)
            if step is None:
                work.pop()
                order.append(node)
            else:
                seen.add(step)
                work.append((step, iter(sorted(after.get(step, ())))))
    return order


def _path(after: dict[str, set[str]], start: str, end: str) -> list[str]:
    """The shortest path from ``start`` to ``end`` along links (both included; ties broken by id)."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == end:
            break
        for step in sorted(after.get(node, ())):
            if step not in previous:
                previous[step] = node
                queue.append(step)
    path: list[str] = []
    back: str | None = end
    while back is not None:
        path.append(back)
        back = previous[back]
    return path[::-1]
