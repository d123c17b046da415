"""The authorization rules: which kind of requester may do what.

Every command and button goes through ``allows`` (the Telegram adapter's ``guarded``
decorator calls it); unit-scoped actions also need ``may_act_for_unit``.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.people import Requester


class Permission(StrEnum):
    ANYONE = "anyone"
    REGISTERED = "registered"  # a liaison or an office user
    LIAISON = "liaison"  # reports for at least one unit now
    OFFICE = "office"  # office staff or admin: view and export
    OFFICE_ADMIN = "office_admin"  # manage units, liaisons and roles


# Who decides reports (通过 / 退回补充), in chat and in the web console alike: every office
# user, as the /review queue has always allowed. One name, so both follow any change.
REVIEW = Permission.OFFICE


def allows(who: Requester, permission: Permission) -> bool:
    match permission:
        case Permission.ANYONE:
            return True
        case Permission.REGISTERED:
            return who.is_registered
        case Permission.LIAISON:
            return who.is_liaison
        case Permission.OFFICE:
            return who.is_office
        case Permission.OFFICE_ADMIN:
            return who.is_admin


def may_act_for_unit(who: Requester, unit_id: int) -> bool:
    """A liaison acts only for units they report for now."""
    return unit_id in who.unit_ids


def refusal_template(who: Requester, permission: Permission) -> str:
    """The polite refusal: strangers learn how to register, others what they lack."""
    if not who.is_registered:
        return "not_registered"
    if permission in (Permission.OFFICE, Permission.OFFICE_ADMIN):
        return "office_only" if not who.is_office else "admin_only"
    return "liaison_only"
