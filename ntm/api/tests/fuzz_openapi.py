"""schemathesis against the OpenAPI document (``make api-fuzz``; not part of ``make test``).

Every operation gets a bounded, derandomized set of generated requests — valid and invalid — sent
with a system administrator's token over the demo data. Each response must not be a server error
and must conform to the document (status code, content type and schema).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

EXAMPLES = 15


@schemathesis.serializer("text/csv")
def _csv(ctx, value):  # type: ignore[no-untyped-def]
    # Negative cases send non-strings too: write them as their JSON text.
    import json

    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo with its values, loaded once per test database; each operation's examples run in
    a transaction rolled back afterwards."""
    from ntm.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo(with_values=True)


@pytest.fixture
def admin_token(db, settings):  # type: ignore[no-untyped-def]
    from ntm.accounts.models import User
    from ntm.api.services import token_create

    settings.NTM_API_RATE = "1000000/s"
    return token_create(user=User.objects.get(username="admin"), name="fuzz").key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_and_never_fails(case, admin_token):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
