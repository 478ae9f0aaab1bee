"""The answer validation rules (insights.rules.answers): each kind, ranges, required-if-visible, conditions."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casacomuni.insights.rules import answers as r
from casacomuni.insights.rules.answers import QuestionDef


def q(code, kind, **extra):
    return QuestionDef(code=code, kind=kind, **extra)


YES = q("yes", r.YES_NO, required=True)
COLOUR = q("colour", r.SINGLE_CHOICE, choices=("red", "green", "blue"))
TOOLS = q("tools", r.MULTIPLE_CHOICE, choices=("pc", "phone", "other"))
COUNT = q("count", r.INTEGER, min_value=Decimal("0"), max_value=Decimal("10"))
SHARE = q("share", r.DECIMAL, decimal_places=1, min_value=Decimal("0"), max_value=Decimal("100"))
DAY = q("day", r.DATE)
NOTE = q("note", r.TEXT)
DOC = q("doc", r.FILE, required=True)


def errors_of(questions, raw, **kw):
    return {
        code: [m.message for m in messages]
        for code, messages in r.validate_answers(questions, raw, **kw).errors.items()
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("no", False),
        ("sì", True),
        ("1", True),
        ("0", False),
        (1, True),
    ],
)
def test_yes_no_accepts_booleans_and_words(raw, expected):
    assert r.validate_answers([YES], {"yes": raw}).cleaned == {"yes": expected}


@pytest.mark.parametrize("raw", ["maybe", 2, [True]])
def test_yes_no_refuses_other_values(raw):
    assert errors_of([YES], {"yes": raw}) == {"yes": ["Answer yes or no."]}


def test_single_choice_must_be_one_of_the_options():
    assert r.validate_answers([COLOUR], {"colour": "green"}).cleaned == {"colour": "green"}
    result = r.validate_answers([COLOUR], {"colour": "purple"})
    assert result.errors["colour"][0].params == {"value": "purple"}
    assert errors_of([COLOUR], {"colour": ["red", "blue"]}) == {"colour": ["Choose one option."]}


def test_multiple_choice_is_kept_in_the_options_order_and_refuses_duplicates_and_strangers():
    assert r.validate_answers([TOOLS], {"tools": ["other", "pc"]}).cleaned == {"tools": ["pc", "other"]}
    assert r.validate_answers([TOOLS], {"tools": "phone"}).cleaned == {"tools": ["phone"]}
    assert errors_of([TOOLS], {"tools": ["pc", "pc"]}) == {"tools": ["Choose each option at most once."]}
    assert "tools" in errors_of([TOOLS], {"tools": ["fax"]})


@pytest.mark.parametrize(
    ("raw", "expected"), [("3", 3), (7, 7), ("10", 10), ("0", 0), (" 4 ", 4), ("5.0", 5)]
)
def test_integer_in_range(raw, expected):
    assert r.validate_answers([COUNT], {"count": raw}).cleaned == {"count": expected}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11", "Enter a number between %(min)s and %(max)s."),
        ("-1", "Enter a number between %(min)s and %(max)s."),
        ("2.5", "Enter a whole number."),
        ("three", "Enter a number."),
        (True, "Enter a number."),
        ("nan", "Enter a number."),
        ("1e400", "Enter a number."),
    ],
)
def test_integer_refusals(raw, message):
    assert errors_of([COUNT], {"count": raw}) == {"count": [message]}


def test_range_message_carries_plain_bounds():
    result = r.validate_answers([COUNT], {"count": "11"})
    assert result.errors["count"][0].params == {"min": "0", "max": "10"}
    only_min = q("n", r.INTEGER, min_value=Decimal("1.0000"))
    assert r.validate_answers([only_min], {"n": 0}).errors["n"][0].render() == "Enter a number of at least 1."
    only_max = q("n", r.INTEGER, max_value=Decimal("100.0000"))
    assert (
        r.validate_answers([only_max], {"n": 101}).errors["n"][0].render() == "Enter a number of at most 100."
    )


def test_decimal_places_and_comma():
    assert r.validate_answers([SHARE], {"share": "12,5"}).cleaned == {"share": "12.5"}
    assert r.validate_answers([SHARE], {"share": 40}).cleaned == {"share": "40"}
    assert errors_of([SHARE], {"share": "12.55"}) == {
        "share": ["Enter a number with at most %(places)s decimal places."]
    }
    assert "share" in errors_of([SHARE], {"share": "100.1"})
    assert "share" in errors_of([SHARE], {"share": "1.234,5"})
    whole = q("w", r.DECIMAL, decimal_places=0)
    assert errors_of([whole], {"w": "1.5"}) == {"w": ["Enter a whole number."]}


def test_dates_are_iso():
    assert r.validate_answers([DAY], {"day": "2026-02-28"}).cleaned == {"day": "2026-02-28"}
    assert r.validate_answers([DAY], {"day": date(2026, 3, 1)}).cleaned == {"day": "2026-03-01"}
    for bad in ("2026-02-30", "28/02/2026", "2026-2-1"):
        assert errors_of([DAY], {"day": bad}) == {"day": ["Enter a date as YYYY-MM-DD."]}


def test_text_is_trimmed_and_limited():
    assert r.validate_answers([NOTE], {"note": "  ciao "}).cleaned == {"note": "ciao"}
    assert errors_of([NOTE], {"note": "x" * (r.MAX_TEXT + 1)}) == {
        "note": ["Enter at most %(max)s characters."]
    }
    assert errors_of([NOTE], {"note": {"a": 1}}) == {"note": ["Enter a text."]}


def test_required_is_checked_on_submission_only():
    assert errors_of([YES, DOC], {}) == {
        "yes": ["This answer is required."],
        "doc": ["This answer is required."],
    }
    assert errors_of([YES, DOC], {}, draft=True) == {}
    assert errors_of([YES], {"yes": "  "}) == {"yes": ["This answer is required."]}


def test_unknown_codes_are_refused():
    assert errors_of([NOTE], {"nope": "x"}) == {"nope": ["There is no question with this code."]}


HAS_SITE = q("has_site", r.YES_NO, required=True)
SITE_SINCE = q("site_since", r.DATE, required=True, visible_if={"question": "has_site", "equals": True})
SITE_NOTE = q(
    "site_note", r.TEXT, required=True, visible_if={"question": "site_since", "equals": "2026-01-01"}
)
OTHER_TOOL = q("other_tool", r.TEXT, required=True, visible_if={"question": "tools", "equals": "other"})


def test_a_hidden_question_is_neither_required_nor_checked_and_its_answer_is_dropped():
    result = r.validate_answers([HAS_SITE, SITE_SINCE], {"has_site": "no", "site_since": "not a date"})
    assert result.is_valid
    assert result.cleaned == {"has_site": False, "site_since": None}
    assert result.visible == {"has_site"}


def test_a_shown_question_is_required_and_checked():
    assert errors_of([HAS_SITE, SITE_SINCE], {"has_site": "yes"}) == {
        "site_since": ["This answer is required."]
    }
    assert errors_of([HAS_SITE, SITE_SINCE], {"has_site": True, "site_since": "x"}) == {
        "site_since": ["Enter a date as YYYY-MM-DD."]
    }


def test_conditions_chain_and_hide_when_the_condition_is_hidden_or_invalid():
    chain = [HAS_SITE, SITE_SINCE, SITE_NOTE]
    assert errors_of(chain, {"has_site": True, "site_since": "2026-01-01"}) == {
        "site_note": ["This answer is required."]
    }
    # site_since hidden -> site_note hidden too, even though site_since's raw value would match.
    assert errors_of(chain, {"has_site": False, "site_since": "2026-01-01"}) == {}
    # An invalid controlling answer shows its own error and does not open the dependant.
    assert errors_of([HAS_SITE, SITE_SINCE], {"has_site": "perhaps"}) == {"has_site": ["Answer yes or no."]}


def test_a_condition_on_a_multiple_choice_means_contains():
    assert errors_of([TOOLS, OTHER_TOOL], {"tools": ["pc", "other"]}) == {
        "other_tool": ["This answer is required."]
    }
    assert errors_of([TOOLS, OTHER_TOOL], {"tools": ["pc"]}) == {}


def test_conditions_in_a_loop_hide_the_questions():
    a = q("a", r.TEXT, required=True, visible_if={"question": "b", "equals": "x"})
    b = q("b", r.TEXT, required=True, visible_if={"question": "a", "equals": "x"})
    assert r.validate_answers([a, b], {}).visible == set()


@given(
    st.dictionaries(
        st.sampled_from(["yes", "colour", "tools", "count", "share", "day", "note"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=20),
            st.floats(allow_nan=True),
            st.lists(st.text(max_size=5), max_size=3),
        ),
    )
)
def test_any_input_gives_cleaned_values_or_errors_never_an_exception(raw):
    questions = [YES, COLOUR, TOOLS, COUNT, SHARE, DAY, NOTE]
    result = r.validate_answers(questions, raw)
    assert set(result.cleaned) == {q.code for q in questions}
    for code, value in result.cleaned.items():
        assert value is None or code not in result.errors


# --- The definitions of a questionnaire ----------------------------------------------------------------------


def definition_errors(questions):
    return {code: [m.message for m in messages] for code, messages in r.check_definitions(questions).items()}


def test_sound_definitions_have_no_problem():
    assert (
        definition_errors([YES, COLOUR, TOOLS, COUNT, SHARE, DAY, NOTE, HAS_SITE, SITE_SINCE, OTHER_TOOL])
        == {}
    )


def test_definition_problems():
    problems = definition_errors(
        [
            q("Bad Code", r.TEXT),
            q("dup", r.TEXT),
            q("dup", r.INTEGER),
            q("one", r.SINGLE_CHOICE, choices=("a",)),
            q("twins", r.MULTIPLE_CHOICE, choices=("a", "a")),
            q("range", r.INTEGER, min_value=Decimal(5), max_value=Decimal(1)),
            q("text_range", r.TEXT, max_value=Decimal(1)),
            q("places", r.DECIMAL, decimal_places=9),
            q("self", r.TEXT, visible_if={"question": "self", "equals": "x"}),
            q("ghost", r.TEXT, visible_if={"question": "nobody", "equals": "x"}),
            q("wrong_value", r.TEXT, visible_if={"question": "range", "equals": "many"}),
            q("kind", "slider"),
        ]
    )
    assert set(problems) == {
        "Bad Code",
        "dup",
        "one",
        "twins",
        "range",
        "text_range",
        "places",
        "self",
        "ghost",
        "wrong_value",
        "kind",
    }
    assert problems["dup"] == ["Another question already has the code “%(code)s”."]
    assert problems["one"] == ["A choice question needs at least two options."]


def test_a_loop_of_conditions_is_a_definition_problem():
    a = q("a", r.YES_NO, visible_if={"question": "b", "equals": True})
    b = q("b", r.YES_NO, visible_if={"question": "a", "equals": True})
    assert "The conditions form a loop." in definition_errors([a, b])["a"]
