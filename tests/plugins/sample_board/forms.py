from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from timebank.i18n import _l


class NoteForm(FlaskForm):
    text = StringField(_l("Note"), validators=[DataRequired(_l("Write something first.")), Length(max=200)])
