"""Finding the objects an API request names, by the codes scripts know."""

from ntm.geo.selectors import version_on as unit_version

__all__ = ["unit_version"]
