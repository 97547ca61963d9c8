"""People, their sign-in credentials and the roles they hold in organisations."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


class Role(LabelledEnum):
    REPORTER = ("reporter", "Reporter")
    PATIENT_SAFETY_LEAD = ("patient_safety_lead", "Patient safety lead")
    EXECUTIVE_LEAD = ("psirf_executive_lead", "PSIRF executive lead")
    REVIEW_PANEL_MEMBER = ("review_panel_member", "Review panel member")
    ICB_QUALITY_COMMITTEE = ("icb_quality_committee", "ICB quality committee member")
    ICB_PATIENT_SAFETY_SPECIALIST = (
        "icb_patient_safety_specialist",
        "ICB patient safety specialist",
    )
    ADMINISTRATOR = ("administrator", "Administrator")


class AccountKind(LabelledEnum):
    # Family and patient accounts arrive with the family portal; the column is here now so
    # that policy can tell them apart from staff from the first row.
    STAFF = ("staff", "Staff")
    FAMILY = ("family", "Patient or family member")


class User(UserMixin, Base):
    __tablename__ = "users"
    # The administrators' list of accounts pages by (created_at, id).
    __table_args__ = (Index("ix_users_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=AccountKind.STAFF.value)
    active: Mapped[bool] = mapped_column(default=True)
    # No longer read: sign-ins are UserSession rows. Kept (NOT NULL) until no code writes it.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The key of the sign-in this object was loaded for (psirf/accounts/sessions.py sets it); not a column.
    session_key = None

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie: it names one sign-in's record, never the person,
        # so ending that record ends the cookie, wherever a copy of it is.
        # Without a sign-in started (sessions.start), an id that loads nobody.
        return self.session_key or ""

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship(back_populates="roles")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def role_label(self) -> str:
        return Role.label_for(self.role)


class UserSession(Base):
    """One sign-in. The browser holds a random key; only its sha256 is kept here."""

    __tablename__ = "user_sessions"
    # Ending every sign-in of one person reads their open ones.
    __table_args__ = (Index("ix_user_sessions_user_open", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(30))

    user: Mapped[User] = relationship(lazy="joined")


class TokenScope(LabelledEnum):
    # Write includes read: a token that may record an event may also read it back.
    READ = ("read", "Read only")
    WRITE = ("write", "Read and write")


class ApiToken(Base):
    """A personal API token (psirf/accounts/tokens.py): its holder's key to /api/v1.

    Only a keyed hash of the secret is kept; `prefix` is the short part shown on the pages so that
    a holder can tell their tokens apart without the secret ever being shown again.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        # A person's own tokens, and an administrator's list of them all, page newest first.
        Index("ix_api_tokens_user", "user_id", "created_at", "id"),
        Index("ix_api_tokens_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last day it works (UTC): a token is refused from the day after.
    expires_on: Mapped[date]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def scope_label(self) -> str:
        return TokenScope.label_for(self.scope)

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.WRITE.value


class ApiTokenReveal(Base):
    """Half of a new token's secret, held for the one page that shows it (psirf/accounts/tokens.py,
    `seal` and `reveal`): a random pad, the secret masked by it being in the maker's session
    cookie. Neither half alone is the secret; the row is deleted when the page is shown."""

    __tablename__ = "api_token_reveals"

    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True
    )
    pad: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
