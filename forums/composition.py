"""Who sits on a forum and whether a meeting had its quorum: composition by sector, parity, vacancies, quorum.

Pure helpers: they take the memberships and attendance already read, and ``today``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Attendance, Forum, ForumMembership, Meeting


# ---------------------------------------------------------------- membership and parity


@dataclass
class Composition:
    """Who sits on a forum on a given day: by sector, co-chairs, vacancies and parity."""

    sectors: list[tuple[str, str, list[ForumMembership]]]
    co_chairs: list[ForumMembership]
    former: list[ForumMembership]
    counts: dict[str, int]
    seats: int | None
    requires_parity: bool

    @property
    def voting(self) -> int:
        return sum(self.counts.values())

    @property
    def vacancies(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.voting, 0)

    @property
    def at_parity(self) -> bool:
        return self.counts[ForumMembership.Sector.GOVERNMENT] == self.counts[ForumMembership.Sector.CIVIL_SOCIETY]

    @property
    def parity_warning(self) -> bool:
        return self.requires_parity and not self.at_parity

    @property
    def government(self) -> int:
        return self.counts[ForumMembership.Sector.GOVERNMENT]

    @property
    def civil_society(self) -> int:
        return self.counts[ForumMembership.Sector.CIVIL_SOCIETY]


def composition(forum: Forum, memberships, today: dt.date) -> Composition:
    """Return the forum's membership on ``today``: current members by sector, co-chairs, former members.

    Observers sit on the forum without a seat: they are listed but not counted
    for parity, vacancies or quorum.
    """
    current = [m for m in memberships if m.is_current(today)]
    former = [m for m in memberships if not m.is_current(today) and m.term_end and m.term_end < today]
    sectors = [(value, label, [m for m in current if m.sector == value]) for value, label in ForumMembership.Sector.choices]
    counts = {
        value: sum(1 for m in current if m.sector == value and m.role != ForumMembership.Role.OBSERVER)
        for value, _label in ForumMembership.Sector.choices
    }
    return Composition(
        sectors=sectors,
        co_chairs=[m for m in current if m.role == ForumMembership.Role.CO_CHAIR],
        former=former,
        counts=counts,
        seats=forum.seats,
        requires_parity=forum.requires_parity,
    )


# ---------------------------------------------------------------- quorum


@dataclass(frozen=True)
class Quorum:
    seated: int
    attending: int
    required: int
    sectors_missing: tuple[str, ...]
    met: bool


def quorum(rule: str, records: list[tuple[str, str]]) -> Quorum:
    """Return whether a meeting had its quorum; ``records`` holds (sector, attendance status) per seated member.

    A member represented by a delegate counts as attending. The default rule
    needs a majority attending, with government and civil society both there.
    """
    seated = len(records)
    attending_sectors = [sector for sector, status in records if status != Attendance.Status.ABSENT]
    attending = len(attending_sectors)
    if rule == Forum.QuorumRule.TWO_THIRDS_BOTH_SECTORS:
        required = -(-2 * seated // 3)  # ceil(2n/3)
    else:
        required = seated // 2 + 1
    missing: tuple[str, ...] = ()
    if rule in (Forum.QuorumRule.MAJORITY_BOTH_SECTORS, Forum.QuorumRule.TWO_THIRDS_BOTH_SECTORS):
        missing = tuple(
            s for s in (ForumMembership.Sector.GOVERNMENT, ForumMembership.Sector.CIVIL_SOCIETY) if s not in attending_sectors
        )
    return Quorum(seated, attending, required, missing, seated > 0 and attending >= required and not missing)


def meeting_quorum(meeting: Meeting, attendances) -> Quorum:
    records = [
        (a.membership.sector, a.status) for a in attendances if a.membership.role != ForumMembership.Role.OBSERVER
    ]
    return quorum(meeting.forum.quorum_rule, records)
