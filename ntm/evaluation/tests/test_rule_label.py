from django.utils import translation

from ntm.evaluation.templatetags.evaluation import rule_label


def test_threshold_rules_are_told_in_words():
    with translation.override("en"):
        assert rule_label("region:TDMNPB (difficult) +year:2024") == (
            "Northern midlands and mountains, especially difficult commune, year 2024"
        )
        assert rule_label("general") == "general level"
        assert rule_label("group:2") == "commune group 2"
