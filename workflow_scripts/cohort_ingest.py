"""Snakemake adapter: every DICOM file -> ingest.parquet + images/ shards (vrgan.cohort.ingest)."""

from pathlib import Path

from vrgan.cohort import check_export, ingest_export
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.cohort.artefacts import log_to, write_summary
from vrgan.cohort.export import ExportPaths

log_to(snakemake.log[0])
p = snakemake.params
transplants = Path(p.transplants_csv) if p.transplants_csv else None
check_export(
    ExportPaths(Path(p.dicom_dir), Path(p.pft_csv), transplants),
    p.pft_columns,
    p.transplant_columns,
    demo=p.source == "demo",
)
pseudo = pseudonymizer_from_settings(p.privacy)
table = ingest_export(p.dicom_dir, snakemake.output.images, pseudo, p.max_rejected_fraction, snakemake.threads, True)
table.to_parquet(snakemake.output.table, index=False)
counts = {"files": len(table), **table["status"].value_counts().sort_index().to_dict()}
counts["views_of_decoded"] = table.loc[table["status"] == "ok", "view"].value_counts().sort_index().to_dict()
write_summary(
    snakemake.output.summary,
    "ingest",
    counts,
    {
        "max_rejected_fraction": p.max_rejected_fraction,
        "threads": snakemake.threads,
        "key_fingerprint": p.key_fingerprint,
    },
)
