"""Projects: who produces credits, where, by which methodology.

A project starts as a draft; staff approve it before credits can be issued
into it and may suspend it (no more issuance; credits already issued keep
moving). Its public `code` (``P<id>`` unless given) appears in serial numbers.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import pycountry
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.clock import utcnow
from core.registry.errors import (
    InvalidProject,
    ProjectCodeTaken,
    UnknownCountry,
    UnknownProducer,
    UnknownProject,
)
from core.registry.methodologies import get_methodology
from core.registry.models import Project, ProjectStatus
from core.registry.views import ProjectView, project_view
from core.users.models import User  # the model only: core.users imports nothing of the registry

_CODE = re.compile(r"^[A-Z0-9]{1,12}$")
_AUTO_CODE = re.compile(r"^P\d+$")  # reserved for codes made from the id


def parse_country(text: str) -> str:
    """ISO 3166-1 alpha-2 (DE, de); UnknownCountry for anything else."""
    code = str(text).strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise UnknownCountry(country=str(text)[:40])
    return code


def _text(field: str, value: str, max_length: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > max_length:
        raise InvalidProject(field=field, max_length=max_length)
    return value


def _code(code: str) -> str:
    code = code.strip().upper()
    if not _CODE.match(code) or _AUTO_CODE.match(code):
        raise InvalidProject(field="code", reason="1 to 12 letters or digits, not P<number>")
    return code


async def create_project(
    *,
    name: str,
    methodology: str,
    country: str,
    producer_id: int,
    location: str = "",
    description: str = "",
    code: str | None = None,
    buffer_percent: int | None = None,
    approve: bool = False,
    now: datetime | None = None,
) -> ProjectView:
    """A new project (draft, or approved at once); buffer share defaults to its methodology's.

    The producer must be a signed-up user (UnknownProducer otherwise).
    """
    method = get_methodology(methodology)
    fields = {
        "name": _text("name", name, 200, required=True),
        "methodology": method.code,
        "standard": method.standard.value,
        "project_type": method.project_type.value,
        "country": parse_country(country),
        "location": _text("location", location, 200),
        "description": _text("description", description, 10_000),
        "producer_id": int(producer_id),
        "status": ProjectStatus.APPROVED if approve else ProjectStatus.DRAFT,
        "buffer_percent": method.buffer_percent if buffer_percent is None else int(buffer_percent),
        "created_at": now or utcnow(),
    }
    if not 0 <= fields["buffer_percent"] < 100:
        raise InvalidProject(field="buffer_percent", reason="0 to 99")
    # Issuance pays into the producer's wallet: an unknown id would hold credits nobody can reach.
    if not await User.filter(id=fields["producer_id"]).exists():
        raise UnknownProducer(producer_id=fields["producer_id"])
    chosen = _code(code) if code else None
    try:
        async with in_transaction():
            project = await Project.create(code=chosen or f"~{secrets.token_hex(5)}", **fields)
            if chosen is None:
                project.code = f"P{project.id}"
                await Project.filter(id=project.id).update(code=project.code)
    except IntegrityError:
        raise ProjectCodeTaken(code=chosen) from None
    return project_view(project)


async def project_row(id_or_code: int | str) -> Project:
    """The project by id (7, "7") or code ("P7", "p7")."""
    text = str(id_or_code).strip()
    project = None
    # ASCII digits only and short enough for a BIGINT: "²".isdigit() is true, and
    # PostgreSQL refuses an id past 2**63 with an error instead of "no row".
    if text.isascii() and text.isdigit() and len(text) <= 18:
        project = await Project.get_or_none(id=int(text))
    if project is None and text:
        project = await Project.get_or_none(code=text.upper())
    if project is None:
        raise UnknownProject(project=text[:40])
    return project


async def get_project(id_or_code: int | str) -> ProjectView:
    return project_view(await project_row(id_or_code))


async def list_projects(status: str | None = None) -> list[ProjectView]:
    query = Project.all() if status is None else Project.filter(status=ProjectStatus(status))
    return [project_view(p) for p in await query.order_by("id")]


async def _set_status(id_or_code: int | str, status: ProjectStatus) -> ProjectView:
    project = await project_row(id_or_code)
    await Project.filter(id=project.id).update(status=status)
    project.status = status
    return project_view(project)


async def approve_project(id_or_code: int | str) -> ProjectView:
    """Credits can now be issued into the project."""
    return await _set_status(id_or_code, ProjectStatus.APPROVED)


async def suspend_project(id_or_code: int | str) -> ProjectView:
    """No more issuance into the project; credits already issued are untouched."""
    return await _set_status(id_or_code, ProjectStatus.SUSPENDED)
