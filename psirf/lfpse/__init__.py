"""The LFPSE export: each safety event mapped to LFPSE's FHIR AdverseEvent (mapping.py), queued
once per revision (models.py, exports.py), sent by a sender (senders.py, sending.py), shown to leads
and the ICB (views.py); and reading.py, which reads LFPSE-shaped NDJSON for the bulk import."""
