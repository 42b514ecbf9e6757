"""Who may work which filing at the desk: one check, used by every desk route.

An officer works the parts routed to their own department and nothing else; a supervisor (and
an admin, who holds the supervisor's grants) sees and works every department's parts. Helpers
and anyone else are refused. A refusal is a 403 with a reason, recorded in the audit log like
every refused member (:func:`hall.auth._refuse_member`), so probing another department's
filings leaves a trace.

Routes take :data:`DeskDep` for the member and call :func:`check_department` with the part's
department before reading or changing it; :func:`department_scope` says which department a
listing is limited to (None: all).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from hall.auth import Staff, audit, require_staff


def may_use_desk(who: Staff) -> bool:
    return (who.role == "officer" and who.department is not None) or who.has_role("supervisor")


def require_desk(request: Request, who: Annotated[Staff, Depends(require_staff)]) -> Staff:
    """The logged-in officer or supervisor, else 403 (recorded)."""
    if not may_use_desk(who):
        audit(request, who, "auth.refused", "route", request.url.path[:128], "needs_desk")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="needs a department officer or a supervisor"
        )
    return who


DeskDep = Annotated[Staff, Depends(require_desk)]


def department_scope(who: Staff) -> str | None:
    """The one department ``who`` may see, or None for every department (supervisors)."""
    return None if who.has_role("supervisor") else who.department


def may_work(who: Staff, department: str) -> bool:
    scope = department_scope(who)
    return scope is None or scope == department


def check_department(request: Request, who: Staff, department: str, subject: str) -> None:
    """403 (recorded) unless ``who`` may work a part of ``department``."""
    if not may_work(who, department):
        audit(request, who, "auth.refused", "part", subject[:128], "other_department")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="this part belongs to another department"
        )
