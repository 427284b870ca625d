"""Controlled vocabularies: every value carries a one-line definition.

The definitions feed the generated schemas and the data dictionary, so a value is
explained in exactly one place: here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema


class Vocabulary(StrEnum):
    """A string enum whose members are declared as ``NAME = "value", "definition"``."""

    definition: str

    def __new__(cls, value: str, definition: str = "") -> Self:
        """Build a member from its value and definition."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.definition = definition
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every value, in declaration order."""
        return tuple(member.value for member in cls)

    @classmethod
    def definitions(cls) -> dict[str, str]:
        """Map each value to its definition, in declaration order."""
        return {member.value: member.definition for member in cls}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Add each value's definition, as editors show them (``enumDescriptions``)."""
        json_schema: dict[str, Any] = handler(schema)
        json_schema["enumDescriptions"] = [member.definition for member in cls]
        return json_schema


class SourceKind(Vocabulary):
    """What kind of document a source is."""

    NEWS_REPORT = "news-report", "An article or broadcast by a news organisation."
    OFFICIAL_LIST = "official-list", "A list published by an authority, such as a sanctions or terrorism list."
    LEGAL_INSTRUMENT = "legal-instrument", "A law, decree, regulation, resolution or notice with legal effect."
    GOVERNMENT_STATEMENT = "government-statement", "A statement, speech or interview by a government body or official."
    PRESS_RELEASE = "press-release", "A press release by an organisation about its own actions."
    REFERENCE_WORK = "reference-work", "An encyclopaedia, database or other compiled reference."
    REPORT = "report", "A study or report by a research body, NGO or intergovernmental organisation."
    OTHER = "other", "Any other kind of source; say which in the notes."


class OrganisationKind(Vocabulary):
    """What kind of body an organisation is."""

    STATE = "state", "A sovereign state, as a party to alliances and designations."
    GOVERNMENT = "government", "The executive government of a state, or a de facto or transitional government."
    MINISTRY = "ministry", "A ministry or department of a government."
    GOVERNMENT_AGENCY = "government-agency", "Any other public body: an office, directorate, regulator or court."
    MILITARY = "military", "State armed forces or one of their branches or commands."
    INTELLIGENCE_AGENCY = "intelligence-agency", "A state intelligence or security service."
    ARMED_GROUP = "armed-group", "A non-state armed group, militia or designated militant organisation."
    POLITICAL_PARTY = "political-party", "A political party or movement."
    INTERGOVERNMENTAL_ORGANISATION = (
        "intergovernmental-organisation",
        "A body of states, such as the UN Security Council or the Council of the EU.",
    )
    COALITION = "coalition", "An alliance or coalition of states or groups formed for a common aim."
    MEDIA = "media", "A news agency, broadcaster or publisher."
    OTHER = "other", "Any other kind of organisation; say which in the notes."


class MembershipRole(Vocabulary):
    """What part an organisation plays in a coalition."""

    LEAD = "lead", "Leads or convenes the coalition."
    MEMBER = "member", "A full member of the coalition."
    PARTNER = "partner", "Cooperates with the coalition without being a full member."
    OBSERVER = "observer", "Attends or follows the coalition without taking part in its actions."


class DesignationKind(Vocabulary):
    """What a designation does to its subject."""

    TERRORIST_DESIGNATION = (
        "terrorist-designation",
        "Listed as a terrorist organisation or terrorist person (e.g. a US FTO or SDGT listing).",
    )
    SANCTIONS = "sanctions", "Listed under a sanctions regime: asset freeze, travel ban or arms embargo."
    PROSCRIPTION = "proscription", "Banned under criminal law, so that membership or support is an offence."
    DECLARED_TERRORIST = (
        "declared-terrorist",
        "Called terrorist in official statements, with no published legal listing; say where in the notes.",
    )
    OTHER = "other", "Any other listing; say which in the notes."


class EventKind(Vocabulary):
    """What happened at a coalition event."""

    FORMATION = "formation", "A coalition is formed or founded."
    ANNOUNCEMENT = "announcement", "A coalition, plan or decision is announced publicly."
    AGREEMENT = "agreement", "Parties reach or sign an agreement."
    MEETING = "meeting", "Officials of two or more parties meet."
    SUMMIT = "summit", "Heads of state or government meet."
    JOINT_OPERATION = "joint-operation", "Parties carry out a military or security operation together."
    OFFENSIVE = (
        "offensive",
        "A military offensive or battle over days or months, such as the retaking of a city; give its end in end_date.",
    )
    STRIKE_CAMPAIGN = "strike-campaign", "A series of air, drone or missile strikes against one adversary or area."
    RAID = "raid", "A single ground or air assault on one target, such as the raid that kills a leader."
    DECLARATION = (
        "declaration",
        "A party declares a victory or an outcome, such as the defeat of a group or the end of an operation.",
    )
    STATEMENT = "statement", "A party states a position, without a decision or agreement."
    WITHDRAWAL = "withdrawal", "A party leaves a coalition or ends its part in an operation."
    DISSOLUTION = "dissolution", "A coalition ends."
    OTHER = "other", "Any other kind of event; say which in the notes."


class SuccessionKind(Vocabulary):
    """How one organisation succeeded another (schema 1.1)."""

    RENAMED = "renamed", "The same body under a new name: the successor is the predecessor renamed."
    MERGED_INTO = (
        "merged-into",
        "The predecessor and others merged to form the successor, and the predecessor ceased to exist.",
    )
    SPLIT_FROM = "split-from", "The successor broke away from the predecessor, which lives on."
    ABSORBED_BY = (
        "absorbed-by",
        "The predecessor was absorbed by the successor, an existing body, and ceased to exist on its own.",
    )
    REPLACED_BY = (
        "replaced-by",
        "The successor replaced the predecessor in its function, as one government replaces another.",
    )


class ParticipantRole(Vocabulary):
    """What part a person or organisation plays in an event."""

    HOST = "host", "Hosts the event."
    GUEST = "guest", "Visits or is received by the host."
    ANNOUNCER = "announcer", "Makes the announcement or statement."
    PARTICIPANT = "participant", "Takes part, with no more specific role."
    MEMBER = "member", "Takes part as a member of the coalition concerned."
    LEAD = "lead", "Leads the operation or initiative."
    TARGET = "target", "Is the target of the operation or measure."
    OUTLET = "outlet", "The news outlet through which the event was made public."


class Confidence(Vocabulary):
    """How sure the record is of its claim, given its sources."""

    HIGH = "high", "Stated plainly by a reliable source, or by several independent sources."
    MEDIUM = "medium", "Stated by one source, or inferred from sources with little doubt; see the notes."
    LOW = "low", "Plausible but weakly supported, or contested; see the notes."
