"""The upload form of the import page."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from psirf.web.forms import PsirfForm, TickBox, strip


class ImportForm(PsirfForm):
    file = FileField("Upload a file", validators=[FileRequired("Select a file of events")])
    organisation = StringField(
        "ODS code of the one service the file is for (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=10)],
    )
    dry_run = TickBox("Check the file only (a dry run): save nothing")
