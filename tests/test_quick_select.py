"""``timebank.forms.QuickSelect``: the HTML of WTForms' own ``Select`` for every kind of choice, written faster."""

import pytest
from wtforms import Form, SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from timebank.forms import QuickSelect

HOMES = [SelectChoice(n, f"{n // 10}号楼 {n % 3}单元 {n}0{n % 4}", optgroup=f"{n // 10}号楼") for n in range(1, 60)]
AWKWARD = [SelectChoice(0, "— none —"), SelectChoice('a"b', "<b>&amp; 'x'</b>"), SelectChoice("", ""),
           SelectChoice(None, "nothing"), SelectChoice("k", None), SelectChoice(True, "yes"),
           SelectChoice("r", "with render_kw", render_kw={"disabled": True, "data-x": "1"})]


def both(choices, data, field=SelectField, **options):
    """The field rendered by WTForms' widget and by ours, with the same name (the choices set after the form is
    built, as the views do)."""

    class Plain(Form):
        choice = field(choices=[], validate_choice=False, **options)

    class Quick(Form):
        choice = field(choices=[], validate_choice=False, widget=QuickSelect(multiple=field is SelectMultipleField),
                       **options)

    rendered = []
    for form_class in (Plain, Quick):
        form = form_class(data={"choice": data})
        form.choice.choices = choices
        rendered.append(str(form.choice()))
    return rendered


@pytest.mark.parametrize("choices, data, options", [
    (HOMES, 33, {"coerce": int}),
    (HOMES, 999, {"coerce": int}),
    ([SelectChoice(0, "— choose —"), *HOMES], 0, {"coerce": int}),
    ({"": [SelectChoice(0, "— choose —")], "1号楼": HOMES[:5], "<2>": HOMES[5:9]}, 3, {"coerce": int}),
    (AWKWARD, 'a"b', {}),
    (AWKWARD, None, {}),
    ([(1, "one"), (2, "two & three")], 2, {"coerce": int}),
    ([], None, {}),
])
def test_the_same_html_as_wtforms(choices, data, options):
    plain, quick = both(choices, data, **options)
    assert plain == quick
    assert quick.startswith('<select id="choice" name="choice">') or "required" in quick


def test_flags_attributes_and_several_selected_values_as_wtforms():
    plain, quick = both(HOMES, 12, coerce=int, validators=[InputRequired()])
    assert plain == quick and "required" in quick
    plain, quick = both(HOMES, [3, 14], field=SelectMultipleField, coerce=int)
    assert plain == quick and quick.count("selected") == 2 and "multiple" in quick

    extra = {"aria-describedby": "choice-help", "class": "wide"}
    rendered = []
    for widget in (widgets.Select(), QuickSelect()):
        class Page(Form):
            choice = SelectField(choices=HOMES, coerce=int, validate_choice=False, widget=widget)

        rendered.append(str(Page(data={"choice": 5}).choice(**extra)))
    assert rendered[0] == rendered[1] and 'class="wide"' in rendered[1]
