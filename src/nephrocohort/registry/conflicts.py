"""What the user is told when a record changed or went away while they were editing it.

A refused save keeps the user's typed values on the page; beside each field the
value saved meanwhile is shown (``saved_meanwhile``), and the form is moved to
the record's current version, so saving again is a deliberate overwrite.
A record deleted meanwhile is said to be deleted, by whom and when, in words.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from nephrocohort.registry.dates import format_date

__all__ = ["deleted_sentence", "saved_meanwhile", "with_current_version", "last_change"]


def last_change(record) -> tuple[str, str]:
    """(who, when) of the record's newest history row ('' when unknown)."""
    from nephrocohort.registry.models._history import acting_username

    newest = record.history.order_by("-history_date", "-history_id").first()
    if newest is None:
        return "", ""
    when = newest.history_date
    return acting_username(newest, unknown=""), f"{format_date(when.date())} {when:%H:%M} UTC"


def deleted_sentence(record) -> str:
    """'This lab result was deleted by X on dd/mm/yyyy hh:mm UTC ...' (the edit is not saved)."""
    who, when = last_change(record)
    return _(
        "This %(kind)s was deleted by %(who)s on %(when)s, while you were editing it or before, "
        "so there is nothing to save your changes to; they were not saved. "
        "Add it again from the patient page if it should be kept."
    ) % {"kind": record._meta.verbose_name, "who": who or _("another user"), "when": when}


def saved_meanwhile(form, current) -> dict[str, str]:
    """Field name -> the value saved meanwhile, for the fields where it differs from the typed one."""
    shown = {}
    for name in form.fields:
        if name in ("version", "confirm_unusual_values") or not hasattr(current, name):
            continue
        saved = getattr(current, name)
        saved = getattr(saved, "pk", saved)  # a foreign key (the center) by its id
        typed = form.data.get(form.add_prefix(name), "")
        if not _same(saved, str(typed).strip()):
            shown[name] = format_date(saved) if hasattr(saved, "strftime") else _text(saved)
    return shown


def with_current_version(data, current, *, key: str = "version"):
    """A copy of the posted ``data`` whose version is the record's current one."""
    data = data.copy()
    data[key] = str(current.version)
    return data


def _same(saved, typed: str) -> bool:
    if typed in (_text(saved), _plain(saved)):
        return True
    if isinstance(saved, int | float) and not isinstance(saved, bool):
        try:
            return float(typed.replace(",", ".")) == float(saved)
        except ValueError:
            return False
    return False


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else _text(value)
