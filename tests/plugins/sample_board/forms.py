from wtforms import StringField
from wtforms.validators import DataRequired, Length

from timebank.forms import AppForm
from timebank.i18n import _l


class NoteForm(AppForm):
    text = StringField(_l("Note"), validators=[DataRequired(_l("Write something first.")), Length(max=200)])
