"""Repository contract: the same tests on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.domain.invites import issue_invites
from bot.domain.people import IdentityRef, identify
from bot.domain.registration import begin, find_open
from storage.db import Database
from storage.models import (
    AssignmentRole,
    AuditEntry,
    Campaign,
    OfficeRole,
    Transport,
    UnitCategory,
)
from storage.repo_people import (
    add_person,
    assign_liaison,
    find_person_by_identity,
    grant_office_role,
    link_identity,
    office_role_of,
    units_of_person,
)
from storage.repo_units import add_unit, create_campaign, get_default_campaign, list_units
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def _campaign(db: Database) -> int:
    with db.session() as session:
        campaign = create_campaign(session=session, name="健康促进区", office_name="创建办")
        assert campaign.id is not None
        return campaign.id


def _liaison(db: Database, *, unit_id: int, telegram_id: str, valid_from: datetime) -> int:
    with db.session() as session:
        person = add_person(session=session, name="王芳", phone="13800000000")
        assert person.id is not None
        link_identity(
            session=session,
            person_id=person.id,
            transport=Transport.TELEGRAM,
            external_id=telegram_id,
            chat_id=telegram_id,
        )
        assign_liaison(
            session=session,
            unit_id=unit_id,
            person_id=person.id,
            role=AssignmentRole.MAIN,
            valid_from=valid_from,
        )
        return person.id


class TestUnits:
    def test_units_come_back_in_office_order(self, database: Database) -> None:
        campaign_id = _campaign(database)
        with database.session() as session:
            for order, name in [(2, "卫星湖街道办事处"), (1, "区教委"), (1, "区卫生健康委")]:
                add_unit(
                    session=session,
                    campaign_id=campaign_id,
                    full_name=name,
                    category=UnitCategory.TOWNSHIP,
                    sort_order=order,
                    aliases=["别名"],
                )
        with database.session() as session:
            units = list_units(session=session, campaign_id=campaign_id)
        assert [u.full_name for u in units] == ["区教委", "区卫生健康委", "卫星湖街道办事处"]
        assert units[0].aliases == ["别名"]
        assert units[0].category == UnitCategory.TOWNSHIP
        assert units[0].display_name == "区教委"

    def test_unit_names_are_unique_within_a_campaign(self, database: Database) -> None:
        campaign_id = _campaign(database)
        with database.session() as session:
            add_unit(session=session, campaign_id=campaign_id, full_name="区教委")
        with pytest.raises(IntegrityError), database.session() as session:
            add_unit(session=session, campaign_id=campaign_id, full_name="区教委")
        other = _campaign(database)
        with database.session() as session:
            add_unit(session=session, campaign_id=other, full_name="区教委")

    def test_a_unit_needs_an_existing_campaign(self, database: Database) -> None:
        with pytest.raises(IntegrityError), database.session() as session:
            add_unit(session=session, campaign_id=999, full_name="区教委")

    def test_default_campaign_is_the_first(self, database: Database) -> None:
        with database.session() as session:
            assert get_default_campaign(session=session) is None
        first = _campaign(database)
        _campaign(database)
        with database.session() as session:
            default = get_default_campaign(session=session)
        assert default is not None
        assert default.id == first


class TestPeople:
    def test_timestamps_round_trip_tz_aware(self, database: Database) -> None:
        shanghai = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        campaign_id = _campaign(database)
        with database.session() as session:
            unit = add_unit(session=session, campaign_id=campaign_id, full_name="区教委")
        assert unit.id is not None
        _liaison(database, unit_id=unit.id, telegram_id="7", valid_from=shanghai)
        with database.session() as session:
            campaign = session.exec(select(Campaign)).one()
            person = find_person_by_identity(
                session=session, transport=Transport.TELEGRAM, external_id="7"
            )
            assert person is not None
            assert person.id is not None
            assignment_units = units_of_person(
                session=session, person_id=person.id, at=shanghai + timedelta(seconds=1)
            )
        assert campaign.created_at.tzinfo is not None
        assert [u.full_name for u in assignment_units] == ["区教委"]

    def test_naive_datetimes_are_refused(self, database: Database) -> None:
        campaign_id = _campaign(database)
        with database.session() as session:
            unit = add_unit(session=session, campaign_id=campaign_id, full_name="区教委")
        assert unit.id is not None
        with pytest.raises(Exception, match="naive datetime"):
            _liaison(
                database,
                unit_id=unit.id,
                telegram_id="8",
                valid_from=datetime(2026, 3, 1),  # noqa: DTZ001 - the point of the test
            )

    def test_assignments_are_dated(self, database: Database) -> None:
        campaign_id = _campaign(database)
        with database.session() as session:
            unit = add_unit(session=session, campaign_id=campaign_id, full_name="区教委")
        assert unit.id is not None
        person_id = _liaison(database, unit_id=unit.id, telegram_id="9", valid_from=T0)
        with database.session() as session:
            before = units_of_person(session=session, person_id=person_id, at=T0 - timedelta(1))
            during = units_of_person(session=session, person_id=person_id, at=T0)
        assert before == []
        assert [u.id for u in during] == [unit.id]

    def test_identity_is_unique_per_transport(self, database: Database) -> None:
        with database.session() as session:
            person = add_person(session=session, name="甲")
            assert person.id is not None
            link_identity(
                session=session,
                person_id=person.id,
                transport=Transport.TELEGRAM,
                external_id="1",
                chat_id="1",
            )
            link_identity(
                session=session,
                person_id=person.id,
                transport=Transport.WECOM,
                external_id="1",
                chat_id="1",
            )
        with database.session() as session:
            other = add_person(session=session, name="乙")
        assert other.id is not None
        with pytest.raises(IntegrityError), database.session() as session:
            link_identity(
                session=session,
                person_id=other.id,
                transport=Transport.TELEGRAM,
                external_id="1",
                chat_id="1",
            )

    def test_office_roles(self, database: Database) -> None:
        with database.session() as session:
            person = add_person(session=session, name="陈静")
            assert person.id is not None
            assert office_role_of(session=session, person_id=person.id) is None
            grant_office_role(session=session, person_id=person.id, role=OfficeRole.STAFF)
            assert office_role_of(session=session, person_id=person.id) == OfficeRole.STAFF


class TestIdentify:
    def test_stranger(self, database: Database) -> None:
        with database.session() as session:
            who = identify(
                db=session,
                identity=IdentityRef(Transport.TELEGRAM, "404", "404", "路人"),
                bootstrap_admin=False,
                at=T0,
            )
        assert not who.is_registered
        assert who.name == "路人"

    def test_bootstrap_admin_without_a_record(self, database: Database) -> None:
        with database.session() as session:
            who = identify(
                db=session,
                identity=IdentityRef(Transport.TELEGRAM, "1", "1", "陈静"),
                bootstrap_admin=True,
                at=T0,
            )
        assert who.office_role == OfficeRole.ADMIN
        assert who.is_office
        assert not who.is_liaison

    def test_bootstrap_admin_first_contact_on_a_bare_connection(self, database: Database) -> None:
        """Handlers resolve who is asking on a connection, without a Session: the first
        contact of a bootstrap admin is still recorded, person and audit entry, in the
        connection's transaction."""
        identity = IdentityRef(Transport.TELEGRAM, "9", "9", "陈静")
        with database.connection() as connection:
            who = identify(db=connection, identity=identity, bootstrap_admin=True, at=T0)
        assert who.office_role == OfficeRole.ADMIN and who.person_id is not None
        with database.connection() as connection:
            again = identify(db=connection, identity=identity, bootstrap_admin=True, at=T0)
        assert again.person_id == who.person_id
        with database.session() as session:
            audit = session.exec(select(AuditEntry)).all()
        assert [(a.action, a.subject_person_id) for a in audit] == [
            ("office_admin_first_contact", who.person_id)
        ]

    def test_liaison_gets_unit_short_names(self, database: Database) -> None:
        campaign_id = _campaign(database)
        with database.session() as session:
            unit = add_unit(
                session=session,
                campaign_id=campaign_id,
                full_name="永川区卫生健康委员会",
                short_name="区卫生健康委",
            )
        assert unit.id is not None
        _liaison(database, unit_id=unit.id, telegram_id="5", valid_from=T0)
        with database.session() as session:
            who = identify(
                db=session,
                identity=IdentityRef(Transport.TELEGRAM, "5", "5", "tg name"),
                bootstrap_admin=False,
                at=T0,
            )
        assert who.name == "王芳"
        assert who.unit_names == ("区卫生健康委",)
        assert who.is_liaison
        assert not who.is_office

    def test_an_unfinished_registration_comes_with_who_is_asking(self, database: Database) -> None:
        campaign_id = _campaign(database)
        stranger = IdentityRef(Transport.TELEGRAM, "77", "77", "新联络员")
        with database.session() as session:
            unit = add_unit(session=session, campaign_id=campaign_id, full_name="区教育委员会")
            [issued] = issue_invites(session=session, units=[unit], role=AssignmentRole.MAIN,
                                     replacement=False, now=T0)  # fmt: skip
            assert identify(db=session, identity=stranger, bootstrap_admin=False,
                            at=T0).registration_id is None  # fmt: skip
            begin(session=session, identity=stranger, code=issued.code, now=T0,
                  bootstrap_admin_ids=())  # fmt: skip
            who = identify(db=session, identity=stranger, bootstrap_admin=False, at=T0)
            assert who.registration_id is not None
            registering = find_open(session=session, who=who)
            assert registering is not None and registering.id == who.registration_id
            other = IdentityRef(Transport.WECOM, "77", "77", "同号不同平台")
            assert identify(db=session, identity=other, bootstrap_admin=False,
                            at=T0).registration_id is None  # fmt: skip
