"""Schema v1: one pydantic model per table, the only place a field is defined.

Field order is column order. References to other tables are declared with :func:`ref`,
and every field has a description, which the generated schemas and docs carry.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WrapValidator,
)
from pydantic.fields import FieldInfo

from dataset_tools.schema.codelists import CodeList, Country, Language, Url
from dataset_tools.schema.dates import PATTERN as PARTIAL_DATE_PATTERN
from dataset_tools.schema.dates import PartialDate
from dataset_tools.schema.ids import Qid, Slug
from dataset_tools.schema.vocab import (
    Confidence,
    DesignationKind,
    EventKind,
    MembershipRole,
    OrganisationKind,
    ParticipantRole,
    SourceKind,
    SuccessionKind,
    Vocabulary,
)

SCHEMA_VERSION = "1.1.0"
"""The version of the schema these models define (semantic versioning)."""

ATTESTED = "attested"
"""The optional date on which a source shows a relationship in force (schema 1.1)."""

LIST_DELIMITER = ";"
"""Separates the items of a list field in CSV."""

_WS = r" \t\n\r\f\v\x00"
"""ASCII whitespace and NUL, spelled out so that every regex engine (Python, Rust, RE2,
ECMA) reads the patterns below the same way; ``\\s`` differs between them."""

TEXT_PATTERN = rf"^[^{_WS}]([^\n\r\x00]*[^{_WS}])?$"
"""One line of text with no leading or trailing whitespace."""
LONG_TEXT_PATTERN = rf"^[^{_WS}]([^\x00]*[^{_WS}])?$"
"""Text that may span lines, with no leading or trailing whitespace."""
ITEM_PATTERN = rf"^[^;{_WS}]([^;\n\r\x00]*[^;{_WS}])?$"
"""A list item: one line, no ``;`` (the CSV list delimiter), no outer whitespace."""


def no_outer_space(value: str) -> str:
    """The rule the patterns above cannot state in every regex engine: no Unicode whitespace at either end.

    Whitespace is what ``str.strip`` (and so ``fmt``) removes: a NO-BREAK SPACE at the end of
    a name is outer whitespace as much as a space is. Raises ValueError otherwise.
    """
    if value != value.strip():
        msg = "whitespace at its start or end"
        raise ValueError(msg)
    return value


Stripped = AfterValidator(no_outer_space)

Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN, max_length=500), Stripped]
LongText = Annotated[str, StringConstraints(pattern=LONG_TEXT_PATTERN, max_length=10_000), Stripped]
Alias = Annotated[str, StringConstraints(pattern=ITEM_PATTERN, max_length=500), Stripped]


def ref(description: str, *tables: str, kinds: tuple[OrganisationKind, ...] = (), **kwargs: Any) -> Any:
    """A field that holds the id of a record in one of ``tables``.

    ``kinds`` narrows a reference to organisations of those kinds.
    """
    extra: dict[str, Any] = {"x-references": list(tables)}
    if kinds:
        extra["x-organisation-kinds"] = [kind.value for kind in kinds]
    return Field(description=description, json_schema_extra=extra, **kwargs)


def _source_ids() -> Any:
    return ref(
        "Ids of the sources that support this record (at least one).",
        "sources",
        min_length=1,
    )


def _confidence() -> Any:
    return Field(None, description="How sure the record is of its claim; empty when not assessed.")


def _notes() -> Any:
    return Field(None, description="Free text: caveats, how a date was inferred, what a source says.")


def _attested() -> Any:
    return Field(
        None,
        description=(
            "A date on which a cited source shows the relationship in force, for a record whose start is not "
            "known; it may not fall before the record's start or after its end, where those are given."
        ),
    )


def _aliases(what: str) -> Any:
    return Field(
        default_factory=list,
        description=f"Other names of the {what}, including spellings and misspellings seen in sources.",
    )


class Record(BaseModel):
    """Settings shared by every table: unknown fields are an error, records are immutable.

    A model is built (its validator compiled) when it first validates or writes its JSON
    Schema, not on import: the validator's column checks read only the fields (:func:`columns`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=False, defer_build=True)

    ordered_dates: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Pairs of date fields (first, second): the second may not be certainly before the first."""
    distinct_references: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Pairs of id fields that may not hold the same id (no record refers to itself)."""
    attested_within: ClassVar[tuple[str, str] | None] = None
    """The (start, end) fields of a relationship with an ``attested`` date: that date may be
    neither certainly before the start nor certainly after the end (schema 1.1)."""

    @classmethod
    def date_orders(cls) -> tuple[tuple[str, str, str], ...]:
        """Every pair of dates that must be in order: (first, second, the field a problem names).

        ``ordered_dates`` name their second field; an ``attested`` date out of its record's
        span is named itself, whichever side it falls on.
        """
        pairs = tuple((first, second, second) for first, second in cls.ordered_dates)
        if cls.attested_within is not None:
            start, end = cls.attested_within
            pairs += ((start, ATTESTED, ATTESTED), (ATTESTED, end, ATTESTED))
        return pairs


class Source(Record):
    """Where a claim comes from: a news report, an official list, a legal instrument."""

    id: Slug = Field(description="Unique id of the record, across all tables.")
    title: Text = Field(description="Title of the document, or a descriptive title if it has none.")
    publisher: Text | None = Field(None, description="Who published it (outlet, ministry, UN body).")
    url: Url | None = Field(None, description="Where it can be read. Empty when a document is cited by reference.")
    reference: Text | None = Field(None, description="The document's own identifier, e.g. `S/RES/2253 (2015)`.")
    published: PartialDate | None = Field(None, description="When it was published, to the precision known.")
    accessed: PartialDate | None = Field(None, description="When the URL was last read.")
    language: Language | None = Field(None, description="Language of the document (ISO 639-1).")
    kind: SourceKind = Field(description="What kind of document it is.")
    notes: LongText | None = _notes()


class Organisation(Record):
    """A state, government body, military, agency, armed group, party, coalition or outlet."""

    ordered_dates = (("founded", "dissolved"),)
    distinct_references = (("id", "parent_id"),)

    id: Slug = Field(description="Unique id of the record, across all tables.")
    name: Text = Field(description="The name most used in English, correctly spelled.")
    aliases: list[Alias] = _aliases("organisation")
    kind: OrganisationKind = Field(description="What kind of body it is.")
    country: Country | None = Field(None, description="Country it belongs to or is based in (ISO 3166-1 alpha-2).")
    parent_id: Slug | None = ref(
        "Organisation it is part of: a ministry's government, an affiliate's umbrella.",
        "organisations",
        default=None,
    )
    founded: PartialDate | None = Field(None, description="When it was founded or formed.")
    dissolved: PartialDate | None = Field(None, description="When it ceased to exist.")
    wikidata_id: Qid | None = Field(None, description="Wikidata item id, only where certain.")
    source_ids: list[Slug] = _source_ids()
    notes: LongText | None = _notes()


class Actor(Record):
    """A person."""

    id: Slug = Field(description="Unique id of the record, across all tables.")
    name: Text = Field(description="The name most used in English, correctly spelled.")
    aliases: list[Alias] = _aliases("person")
    nationality: list[Country] = Field(
        default_factory=list, description="Countries of citizenship (ISO 3166-1 alpha-2)."
    )
    born: PartialDate | None = Field(None, description="Date of birth, to the precision known.")
    wikidata_id: Qid | None = Field(None, description="Wikidata item id, only where certain.")
    source_ids: list[Slug] = _source_ids()
    notes: LongText | None = _notes()


class Position(Record):
    """A person holds a role in an organisation."""

    ordered_dates = (("start", "end"),)
    attested_within = ("start", "end")

    id: Slug = Field(description="Unique id of the record, across all tables.")
    actor_id: Slug = ref("The person.", "actors")
    organisation_id: Slug = ref("The organisation the role is in.", "organisations")
    role: Text = Field(description="The role or title, e.g. `Minister of Foreign Affairs`.")
    start: PartialDate | None = Field(None, description="When the person took up the role.")
    end: PartialDate | None = Field(None, description="When the person left the role; empty while held.")
    attested: PartialDate | None = _attested()
    source_ids: list[Slug] = _source_ids()
    confidence: Confidence | None = _confidence()
    notes: LongText | None = _notes()


class Membership(Record):
    """An organisation is a member of a coalition."""

    ordered_dates = (("start", "end"),)
    distinct_references = (("member_id", "coalition_id"),)
    attested_within = ("start", "end")

    id: Slug = Field(description="Unique id of the record, across all tables.")
    member_id: Slug = ref("The member organisation.", "organisations")
    coalition_id: Slug = ref(
        "The coalition (an organisation of kind `coalition`).",
        "organisations",
        kinds=(OrganisationKind.COALITION,),
    )
    role: MembershipRole = Field(description="The member's part in the coalition.")
    start: PartialDate | None = Field(None, description="When the membership began.")
    end: PartialDate | None = Field(None, description="When it ended; empty while current.")
    attested: PartialDate | None = _attested()
    source_ids: list[Slug] = _source_ids()
    confidence: Confidence | None = _confidence()
    notes: LongText | None = _notes()


class Designation(Record):
    """An authority lists a person or organisation under a list or legal instrument."""

    ordered_dates = (("listed", "delisted"),)
    distinct_references = (("authority_id", "subject_id"),)
    attested_within = ("listed", "delisted")

    id: Slug = Field(description="Unique id of the record, across all tables.")
    authority_id: Slug = ref("The designating authority (a state or body).", "organisations")
    subject_id: Slug = ref("The designated person or organisation.", "actors", "organisations")
    kind: DesignationKind = Field(description="What the designation does.")
    list_name: Text = Field(description="The list or regime, e.g. `Foreign Terrorist Organizations`.")
    listed_name: Text | None = Field(None, description="The subject's name as the list spells it.")
    reference: Text | None = Field(None, description="The list's own reference for the entry, e.g. `QDe.115`.")
    listed: PartialDate | None = Field(None, description="When the subject was listed; empty if unknown.")
    delisted: PartialDate | None = Field(
        None, description="When the listing ended; a delisting ends a designation, it never deletes it."
    )
    attested: PartialDate | None = _attested()
    source_ids: list[Slug] = _source_ids()
    confidence: Confidence | None = _confidence()
    notes: LongText | None = _notes()


class CoalitionEvent(Record):
    """Something a coalition or its members did: formation, meeting, agreement, operation."""

    ordered_dates = (("date", "end_date"),)

    id: Slug = Field(description="Unique id of the record, across all tables.")
    kind: EventKind = Field(description="What happened.")
    date: PartialDate = Field(description="When it happened (or began), to the precision known.")
    end_date: PartialDate | None = Field(None, description="When it ended, for events that span time.")
    coalition_id: Slug | None = ref(
        "The coalition concerned, if any (an organisation of kind `coalition`).",
        "organisations",
        kinds=(OrganisationKind.COALITION,),
        default=None,
    )
    title: Text = Field(description="A short title.")
    summary: LongText | None = Field(None, description="What happened, in a few sentences.")
    location: Text | None = Field(None, description="Where it happened: city or place name.")
    country: Country | None = Field(None, description="Country where it happened (ISO 3166-1 alpha-2).")
    source_ids: list[Slug] = _source_ids()
    confidence: Confidence | None = _confidence()
    notes: LongText | None = _notes()


class EventParticipant(Record):
    """A person or organisation took part in an event, in a role."""

    id: Slug = Field(description="Unique id of the record, across all tables.")
    event_id: Slug = ref("The event.", "coalition_events")
    participant_id: Slug = ref("The person or organisation taking part.", "actors", "organisations")
    role: ParticipantRole = Field(description="Their part in the event.")
    source_ids: list[Slug] = _source_ids()
    confidence: Confidence | None = _confidence()
    notes: LongText | None = _notes()


class Succession(Record):
    """One organisation succeeded another: renamed, merged, split, absorbed or replaced (schema 1.1)."""

    distinct_references = (("predecessor_id", "successor_id"),)

    id: Slug = Field(description="Unique id of the record, across all tables.")
    predecessor_id: Slug = ref("The organisation before the change.", "organisations")
    successor_id: Slug = ref("The organisation after the change.", "organisations")
    kind: SuccessionKind = Field(description="How the successor followed the predecessor.")
    date: PartialDate | None = Field(
        None, description="When the change took effect, to the precision known; empty if unknown."
    )
    source_ids: list[Slug] = _source_ids()
    confidence: Confidence | None = _confidence()
    notes: LongText | None = _notes()


TABLES: dict[str, type[Record]] = {
    "sources": Source,
    "organisations": Organisation,
    "actors": Actor,
    "positions": Position,
    "memberships": Membership,
    "designations": Designation,
    "coalition_events": CoalitionEvent,
    "event_participants": EventParticipant,
    "successions": Succession,
}
"""Every table of schema v1, by name, in the order they are documented and released."""

ADDED_IN: dict[str, str] = {"successions": "1.1.0"}
"""Tables added by a minor version, and that version. A dataset may leave such a table out
(an absent table has no records), as it may leave out an optional column, so that data
valid under an earlier minor version stays valid."""


@dataclass(frozen=True)
class Column:
    """What the readers, checks and schema writers need to know of one field.

    Read from the field's type and its ``Annotated`` metadata, so constraints are stated once,
    in the model; the model itself need not be built (pydantic builds it on first validation).
    """

    name: str
    description: str
    required: bool
    is_list: bool
    min_items: int
    is_date: bool
    vocabulary: type[Vocabulary] | None
    pattern: str | None
    enum: tuple[str, ...]
    """The values the field may hold, when it holds one of a list (a vocabulary or a code list); else ``()``."""
    max_length: int | None
    references: tuple[str, ...]
    organisation_kinds: tuple[str, ...]
    rules: tuple[Any, ...] = ()
    """The functions the field's type validates with (``AfterValidator`` and the like), its items' included."""

    @property
    def stripped(self) -> bool:
        """Whether the field forbids Unicode whitespace at either end (:func:`no_outer_space`)."""
        return no_outer_space in self.rules


_VALIDATORS = (AfterValidator, BeforeValidator, PlainValidator, WrapValidator)


def rules_of(annotation: Any) -> tuple[Any, ...]:
    """Every validator function in ``annotation``'s ``Annotated`` metadata, at any depth (list items too)."""
    found: list[Any] = []
    for arg in typing.get_args(annotation):
        found.extend(rules_of(arg))
    if typing.get_origin(annotation) is Annotated:
        found.extend(item.func for item in annotation.__metadata__ if isinstance(item, _VALIDATORS))
    return tuple(dict.fromkeys(found))


def _item_type(annotation: Any) -> tuple[Any, bool]:
    """Strip ``Annotated``, ``| None`` and ``list[...]``: (item type, is list)."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is list:
            is_list = True
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        else:
            return annotation, is_list


def _item_metadata(annotation: Any) -> list[Any]:
    """The ``Annotated`` metadata of one value of ``annotation`` (of an item, for a list), outermost first.

    A ``Field(...)`` inside ``Annotated`` counts by its own metadata.
    """
    found: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            for item in annotation.__metadata__:
                found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            annotation = typing.get_args(annotation)[0]
        elif origin is list:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        else:
            return found


@cache
def columns(model: type[Record]) -> tuple[Column, ...]:
    """The columns of a table, in order.

    Read from each field's type: ``StringConstraints`` (pattern, length), ``MinLen`` on a
    list (its fewest items), a :class:`~dataset_tools.schema.vocab.Vocabulary`, a
    :class:`~dataset_tools.schema.codelists.CodeList`, :class:`PartialDate` (the date
    pattern) and ``ref(...)`` (references). The JSON Schema pydantic writes for the model
    says the same (a test compares them); reading it would build every model first.
    """
    result = []
    for name, info in model.model_fields.items():
        base, is_list = _item_type(info.annotation)
        # a field typed with a bare ``Annotated`` alias has its metadata moved onto the field by pydantic
        item = _item_metadata(info.annotation) + ([] if is_list else list(info.metadata))
        strings = [meta for meta in item if isinstance(meta, StringConstraints)]
        code_lists = [meta for meta in item if isinstance(meta, CodeList)]
        lengths = [meta.max_length for meta in strings if meta.max_length is not None]
        lengths += [meta.max_length for meta in item if isinstance(meta, annotated_types.MaxLen)]
        patterns = [
            meta.pattern if isinstance(meta.pattern, str) else meta.pattern.pattern for meta in strings if meta.pattern
        ]
        fewest = [meta.min_length for meta in info.metadata if isinstance(meta, annotated_types.MinLen)]
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        is_date = base is PartialDate
        vocabulary = base if isinstance(base, type) and issubclass(base, Vocabulary) else None
        result.append(
            Column(
                name=name,
                description=info.description or "",
                required=info.is_required(),
                is_list=is_list,
                min_items=fewest[0] if is_list and fewest else 0,
                is_date=is_date,
                vocabulary=vocabulary,
                pattern=PARTIAL_DATE_PATTERN if is_date else (patterns[0] if patterns else None),
                enum=vocabulary.values() if vocabulary is not None else code_lists[0].codes() if code_lists else (),
                max_length=min(lengths) if lengths else None,
                references=tuple(typing.cast("list[str]", extra.get("x-references", []))),
                organisation_kinds=tuple(typing.cast("list[str]", extra.get("x-organisation-kinds", []))),
                rules=(
                    *rules_of(info.annotation),
                    *(meta.func for meta in info.metadata if isinstance(meta, _VALIDATORS)),
                ),
            )
        )
    return tuple(result)


def to_row(record: Record) -> dict[str, str]:
    """A record as a CSV row: lists joined with ``;``, missing values as empty strings."""
    row: dict[str, str] = {}
    for column in columns(type(record)):
        value = getattr(record, column.name)
        if value is None:
            row[column.name] = ""
        elif column.is_list:
            row[column.name] = LIST_DELIMITER.join(str(item) for item in value)
        else:
            row[column.name] = str(value)
    return row


def from_row(model: type[Record], row: dict[str, str]) -> dict[str, Any]:
    """Turn a CSV row into the input of ``model.model_validate``.

    An empty cell means "not given"; a list cell is split on ``;``. Nothing is trimmed
    or normalised: validation sees what the file holds.
    """
    data: dict[str, Any] = {}
    listed = {column.name for column in columns(model) if column.is_list}
    for name, cell in row.items():
        if cell is None or cell == "":
            continue
        data[name] = cell.split(LIST_DELIMITER) if name in listed else cell
    return data


def to_json(record: Record) -> dict[str, Any]:
    """A record as a JSON object: every field present, lists as arrays, missing as null."""
    return record.model_dump(mode="json")
