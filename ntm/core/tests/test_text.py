from ntm.core.text import fold, split_kind


def test_fold_removes_accents_case_and_d_stroke():
    assert fold("Xã  Dương Đức") == "xa duong duc"
    assert fold("THỊ TRẤN VÔI") == "thi tran voi"


def test_split_kind_reads_the_prefix_of_unit_names():
    assert split_kind("Xã Dương Đức") == ("commune", "Dương Đức")
    assert split_kind("Thành phố Bắc Giang") == ("city", "Bắc Giang")
    assert split_kind("Thị trấn Vôi") == ("township", "Vôi")
    assert split_kind("Tổ dân phố 3") == ("residential_group", "3")
    assert split_kind("Cống Phên") == (None, "Cống Phên")


def test_split_kind_accepts_decomposed_unicode():
    import unicodedata

    assert split_kind(unicodedata.normalize("NFD", "Xã Dương Đức")) == ("commune", "Dương Đức")
