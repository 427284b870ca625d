"""Identifiers: record ids (slugs) and external ids (Wikidata QIDs)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""A record id: lowercase letters and digits in words joined by single hyphens."""

QID_PATTERN = r"^Q[1-9][0-9]*$"
"""A Wikidata item id, such as ``Q42``."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=120)]
Qid = Annotated[str, StringConstraints(pattern=QID_PATTERN), Field(examples=["Q42"])]
