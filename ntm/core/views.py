from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ntm.core.csvout import write_csv
from ntm.core.refusals import SESSION_KEY


@login_required
def refused(request: HttpRequest, token: str) -> HttpResponse:
    """The whole list of a refused import's problems, as CSV: only from the person's own
    session (the file was theirs), so no unit check is needed."""
    rows = request.session.get(SESSION_KEY + token)
    if rows is None:
        raise Http404
    response = HttpResponse(
        write_csv([_("Row"), _("Column"), _("Problem")], rows), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="loi-nhap-tep.csv"'
    return response
