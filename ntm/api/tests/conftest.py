import pytest


@pytest.fixture
def catalog(demo):
    from ntm.demo.values import load_catalog

    load_catalog()
    return demo


@pytest.fixture
def token_for(db):
    """token_for("xa", read_only=False) -> the Authorization header value of a new token."""
    from ntm.accounts.models import User
    from ntm.api.services import token_create

    def make(username: str, read_only: bool = False) -> str:
        created = token_create(
            user=User.objects.get(username=username), name="test", read_only=read_only
        )
        return f"Bearer {created.key}"

    return make


@pytest.fixture
def api(client):
    """Calls with a token: api.get(path, token, **params) / api.post(path, token, data, ...)."""

    class Caller:
        def get(self, path, token=None, headers=None, **params):
            extra = {"HTTP_AUTHORIZATION": token} if token else {}
            for k, v in (headers or {}).items():
                extra["HTTP_" + k.upper().replace("-", "_")] = v
            return client.get(path, params, **extra)

        def post(self, path, token=None, data=None, content_type="application/json", **query):
            from urllib.parse import urlencode

            extra = {"HTTP_AUTHORIZATION": token} if token else {}
            url = path + ("?" + urlencode(query) if query else "")
            return client.post(url, data=data, content_type=content_type, **extra)

    return Caller()
