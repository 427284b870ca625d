"""Checks of the ``successions`` table against the organisations it links (schema 1.1).

Field checks, record checks (no self-reference) and reference checks (both ids name
organisations) are the generic ones; this module adds what needs the other records:

- a succession's ``date`` is not certainly before its predecessor's ``founded``
  (``date-order-error``);
- no organisation is its own predecessor through ``renamed`` and ``merged-into`` links
  (``succession-cycle``, on every link of the cycle).

Like the other cross-table checks they have one form, run on both validation paths.
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


def succession_checks(files: dict[str, TableFile]) -> Iterator[Problem]:
    """The succession problems of a dataset: dates before the predecessor's founding, and cycles."""
    tf = files.get("successions")
    if tf is None or not {"predecessor_id", "successor_id"} <= set(tf.data.column_names):
        return
    yield from _before_founding(tf, files.get("organisations"))
    yield from _cycles(tf)


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
        if component.get(predecessor) is None or component.get(predecessor) != component.get(successor):
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


def _components(after: dict[str, set[str]]) -> dict[str, int]:
    """The strongly connected component of every node with a link out (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    component: dict[str, int] = {}
    for root in sorted(after):
        if root in index:
            continue
        work = [(root, iter(sorted(after.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            step = next(successors, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(after.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
    return component


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
    node: str | None = end
    while node is not None:
        path.append(node)
        node = previous[node]
    return path[::-1]
