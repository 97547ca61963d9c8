"""Bulk import of historic events: sources that read files into rows, the checks each row passes,
the batched import itself, its record and report, the command and the administrators' page."""
