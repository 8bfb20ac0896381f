"""Snakemake adapter: every DICOM file -> ingest.parquet + images/ shards (vrgan.cohort.ingest)."""

from vrgan.artefacts import atomic_write, log_to, write_summary, write_table
from vrgan.cohort import ingest_export
from vrgan.cohort.counts import ingest_counts
from vrgan.cohort.privacy import pseudonymizer_from_settings

log_to(snakemake.log[0])
p = snakemake.params
pseudo = pseudonymizer_from_settings(p.privacy)
with atomic_write(snakemake.output.images) as images:  # the image cache appears complete or not at all
    table = ingest_export(
        p.dicom_dir, images, pseudo, p.max_rejected_fraction, snakemake.threads, True, p.burned_in_annotation
    )
write_table(table, snakemake.output.table)
parameters = {
    "max_rejected_fraction": p.max_rejected_fraction,
    "burned_in_annotation": p.burned_in_annotation,
    "threads": snakemake.threads,
}
write_summary(snakemake.output.summary, "ingest", ingest_counts(table), {**parameters, "key_fingerprint": p.key_fingerprint})
