"""Writes of the API app: personal tokens and the DHIS2 mapping table."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.permissions import is_system_admin
from ntm.api.lookups import unit_version
from ntm.api.models import ApiToken, Dhis2Kind, Dhis2Mapping
from ntm.catalog.models import CriteriaSet
from ntm.core.tabular import CellError, ImportRefused, read_table

KEY_PREFIX = "ntm_"
# last_used_at is written at most this often: a script's every request must not be a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(ValueError):
    """A refused token operation, with a message for people (already translated)."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # shown once; only its hash is stored


@transaction.atomic
def token_create(
    *, user: Any, name: str, read_only: bool = False, expires_at: dt.datetime | None = None
) -> NewToken:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise TokenError(_("Name the token (what script or tool uses it)."))
    if len(name) > 100:
        raise TokenError(_("The name is at most 100 characters."))
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(_("The expiry date is in the past."))
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=hash_key(key),
        read_only=read_only,
        expires_at=expires_at,
    )
    return NewToken(token, key)


@transaction.atomic
def token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    """Owners revoke their own tokens; a system administrator revokes anyone's."""
    if token.user_id != getattr(user, "pk", None) and not is_system_admin(user):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_revoke_all(*, user_id: int) -> int:
    """Every live token of a person (their password changed: whoever knew the old one may
    hold a token made with it). Returns how many were revoked."""
    return ApiToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_for_key(key: str) -> ApiToken | None:
    """The active token of this key, its user loaded; marks it used (coarsely)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


MAPPING_COLUMNS = {
    "kind": ["loại"],
    "unit": ["Mã đơn vị", "unit_code"],
    "set": ["Bộ tiêu chí", "criteria_set"],
    "code": ["Mã chỉ tiêu", "indicator"],
    "dhis2_id": ["uid", "id"],
    "dhis2_code": [],
    "category_option_combo": ["catoptcombo", "coc"],
}


@transaction.atomic
def mapping_import(*, user: Any, data: bytes, filename: str = "mapping.csv") -> int:
    """Replace-or-add mappings from a table (columns above): all rows or none. System admins
    only, since a mapping redirects every exchange with DHIS2."""
    if not is_system_admin(user):
        raise PermissionDenied
    table = read_table(
        data, aliases=MAPPING_COLUMNS, required=["kind", "dhis2_id"], filename=filename
    )
    errors: list[CellError] = []
    rows: list[Dhis2Mapping] = []
    for number, cells in table.rows:
        kind = cells.get("kind", "").strip().lower()
        mapping = Dhis2Mapping(
            kind=kind,
            dhis2_id=cells.get("dhis2_id", "").strip(),
            dhis2_code=cells.get("dhis2_code", "").strip(),
            category_option_combo=cells.get("category_option_combo", "").strip(),
        )
        if kind == Dhis2Kind.UNIT:
            mapping.unit = unit_version(cells.get("unit", "").strip())
            if mapping.unit is None:
                errors.append(CellError(number, table.header("unit"), _("unknown unit code")))
                continue
        elif kind in (Dhis2Kind.ELEMENT, Dhis2Kind.DATASET):
            family = CriteriaSet.objects.filter(code=cells.get("set", "").strip().lower()).first()
            if family is None:
                errors.append(CellError(number, table.header("set"), _("unknown criteria set")))
                continue
            mapping.criteria_set, mapping.code = family, cells.get("code", "").strip()
        else:
            errors.append(
                CellError(number, table.header("kind"), _("“unit”, “element” or “dataset”"))
            )
            continue
        try:
            mapping.clean()
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                errors.extend(CellError(number, column, m) for m in messages)
            continue
        rows.append(mapping)
    if errors:
        raise ImportRefused(errors)
    for mapping in rows:
        if mapping.kind == Dhis2Kind.UNIT:
            Dhis2Mapping.objects.filter(kind=mapping.kind, unit=mapping.unit).delete()
        elif mapping.kind == Dhis2Kind.DATASET:
            Dhis2Mapping.objects.filter(
                kind=mapping.kind, criteria_set=mapping.criteria_set
            ).delete()
        else:
            Dhis2Mapping.objects.filter(
                kind=mapping.kind, criteria_set=mapping.criteria_set, code=mapping.code
            ).delete()
        Dhis2Mapping.objects.filter(
            kind=mapping.kind,
            dhis2_id=mapping.dhis2_id,
            category_option_combo=mapping.category_option_combo,
        ).delete()
        mapping.save()
    return len(rows)
