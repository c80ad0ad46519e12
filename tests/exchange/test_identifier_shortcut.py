"""The merge's shortcut for associations' identifiers never lets through what the association form refuses.

The import checks each association's SIRET, SIREN, RNA, e-mail and postcode by asking the form, some 50 µs a
record; a package of plainly written, valid identifiers takes a shortcut instead. Whatever the shortcut accepts,
the form must accept too: otherwise a forged package would bring in what no coordinator could type.
"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from cvdesk.domain.identifiers import luhn_complete
from cvdesk.exchange.record_checks import _identifiers_fast, _luhn, form
from cvdesk.store.models import Association

ask_the_form = form(Association, "siret", "siren", "rna", "email", "postcode")

DIGITS = st.text(alphabet="0123456789", min_size=8, max_size=8)
SIREN = DIGITS.map(luhn_complete)
NOISE = st.text(alphabet="0123456789 .WAZ@x\u00a0", max_size=16)


@st.composite
def identifiers(draw: st.DrawFn) -> tuple[str, str, str, str, str]:
    siren = draw(st.one_of(SIREN, st.sampled_from(["", "356000000"]), NOISE))
    nic = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    siret = draw(st.one_of(
        st.just(luhn_complete(siren + nic) if siren.isascii() and siren.isdigit() and len(siren) == 9 else siren),
        st.sampled_from(["", "35600000000048", "35600000000121", "73282932000074", "7328293200007"]),
        NOISE))
    if draw(st.booleans()) and len(siret) == 14:
        siren = siret[:9]
    rna = draw(st.one_of(st.from_regex(r"\AW[0-9A-Z]{9}\Z"), st.sampled_from(["", "W 595001234", "w595001234"]),
                         NOISE))
    email = draw(st.one_of(st.sampled_from(["", "asso@exemple.fr", " asso@exemple.fr", "asso@exemple"]), NOISE))
    postcode = draw(st.one_of(st.sampled_from(["", "59300", "00300", "59 300", "5930"]), NOISE))
    return siret, siren, rna, email, postcode


@settings(max_examples=1500, deadline=None)
@given(identifiers())
def test_whatever_the_shortcut_accepts_the_form_accepts(values: tuple[str, str, str, str, str]) -> None:
    if _identifiers_fast([values]):
        assert ask_the_form(*values) is None, values


def test_plainly_written_valid_identifiers_take_the_shortcut_and_a_wrong_key_does_not() -> None:
    # 732 829 320 is a valid SIREN (Luhn, counted by hand); its establishment 00074 makes a valid SIRET.
    good = ("73282932000074", "732829320", "W595001234", "contact@asso.fr", "59300")
    assert ask_the_form(*good) is None
    assert _identifiers_fast([good, ("", "", "", "", "")])
    wrong_key = ("73282932000075", "732829320", "", "", "")
    assert ask_the_form(*wrong_key) is not None
    assert not _identifiers_fast([good, wrong_key])
    other_siren = ("73282932000074", "552100554", "", "", "")
    assert ask_the_form(*other_siren) is not None
    assert not _identifiers_fast([other_siren])


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_the_shortcut_s_luhn_key_is_the_one_python_stdnum_checks(digits: str) -> None:
    from stdnum import luhn

    assert _luhn(digits) == luhn.is_valid(digits), digits
