"""An import of events from a file: who started it, where it stands, its counts and its report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from psirf.extensions import Base
from psirf.labels import LabelledEnum
from psirf.timeutil import utcnow


class ImportState(LabelledEnum):
    QUEUED = ("queued", "Waiting to start")
    RUNNING = ("running", "Running")
    FINISHED = ("finished", "Finished")
    # The file could not be read to its end (not UTF-8, say): batches before the fault are kept.
    FAILED = ("failed", "Stopped")


class EventImport(Base):
    """One run of a file through the import, by the page or the command. The counts are updated
    in each batch's own transaction, so the page's progress is what has been committed."""

    __tablename__ = "event_imports"
    __table_args__ = (
        # The page lists an ICB's imports, newest first, a page at a time.
        Index("ix_event_imports_icb_created", "icb_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The ICB of the administrator who started it: its other administrators see it too.
    icb_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(default=False)
    batch_size: Mapped[int]
    # Every row of the file must name this service (its ODS code) or none, when set.
    organisation_ods_code: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default=ImportState.QUEUED.value)
    rows_read: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)  # already imported before
    refused: Mapped[int] = mapped_column(default=0)  # rows of batches that held a fault
    faults: Mapped[int] = mapped_column(default=0)
    batches: Mapped[int] = mapped_column(default=0)
    bytes_total: Mapped[int] = mapped_column(default=0)
    bytes_read: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # The report of faults (row, field, message), a file under IMPORT_FOLDER. (The upload itself
    # is named by the import's id there, and removed when the run ends: nothing to keep.)
    report_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def state_label(self) -> str:
        return ImportState.label_for(self.state)

    @property
    def done(self) -> bool:
        return self.state in (ImportState.FINISHED.value, ImportState.FAILED.value)

    @property
    def percent(self) -> int:
        if self.done:
            return 100
        if not self.bytes_total:
            return 0
        return min(99, self.bytes_read * 100 // self.bytes_total)
