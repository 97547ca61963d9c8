"""Imports every feature's models, so the metadata is whole for Alembic and the mappers resolve."""

from psirf.accounts import models as accounts  # noqa: F401
from psirf.actions import models as actions  # noqa: F401
from psirf.alerts import models as alerts  # noqa: F401
from psirf.audit import AuditRecord  # noqa: F401
from psirf.engagement import models as engagement  # noqa: F401
from psirf.events import counts as event_counts  # noqa: F401  (and the listener that keeps them)
from psirf.events import drafts as public_report_drafts  # noqa: F401
from psirf.events import models as events  # noqa: F401
from psirf.imports import models as imports  # noqa: F401
from psirf.improvement import models as improvement  # noqa: F401
from psirf.learning import models as learning  # noqa: F401
from psirf.library import models as library  # noqa: F401
from psirf.nearmiss import models as nearmiss  # noqa: F401
from psirf.notifications import models as notifications  # noqa: F401
from psirf.organisations import models as organisations  # noqa: F401
from psirf.plans import models as plans  # noqa: F401
from psirf.responses import models as responses  # noqa: F401
from psirf.lfpse import models as lfpse  # noqa: F401
from psirf.bulletins import models as bulletins  # noqa: F401
from psirf.readiness import models as readiness  # noqa: F401
