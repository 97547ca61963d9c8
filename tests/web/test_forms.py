"""The shared form pieces: the NHS.UK date input field."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from psirf.web.forms import DateRequired, NhsDateField


class DateForm(Form):
    when = NhsDateField("When did it happen?", not_after_today=True, validators=[DateRequired("Enter the date")])


def form_with(day="", month="", year=""):
    return DateForm(MultiDict({"when[day]": day, "when[month]": month, "when[year]": year}))


def test_a_whole_date_is_read_from_its_three_boxes():
    form = form_with("3", "11", "2026")
    assert form.validate() and form.when.data == date(2026, 11, 3)


@pytest.mark.parametrize(
    "parts, message, focus",
    [
        (("", "", ""), "Enter the date", "day"),
        (("3", "11", ""), "The date must include a year", "year"),
        (("3", "", ""), "The date must include a month and year", "month"),
        (("31", "2", "2026"), "Enter a real date for when did it happen", "day"),
        (("1", "1", "2999"), "The date must be today or in the past", "day"),
    ],
)
def test_a_bad_date_says_what_to_fix_keeps_what_was_typed_and_names_the_box_to_focus(parts, message, focus):
    form = form_with(*parts)
    assert not form.validate()
    assert form.when.errors[0] == message
    assert (form.when.parts().day, form.when.parts().month, form.when.parts().year) == parts
    assert form.when.first_part_to_fix() == focus
