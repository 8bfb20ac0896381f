# Cohort stages (paper section 3.2): DICOM ingest, PFT table, matching within a window,
# PA/transplant filters, subject split and pairs, cohort flow. Logic: vrgan/cohort.
# Local rules (rules/common.smk): every step after the ingest (tables only).


include: "cohort_common.smk"


if COHORT is not None:

    rule cohort_ingest:
        input:
            export=cohort_export_input,
            code=script_code("cohort_ingest"),
        output:
            table=f"{COHORT_DIR}/ingest.parquet",
            summary=f"{COHORT_DIR}/ingest.json",
            images=directory(f"{COHORT_DIR}/images"),
        log:
            f"{COHORT_LOGS}/ingest.log",
        benchmark:
            "results/benchmarks/cohort_ingest.tsv"
        conda:
            "../envs/imaging.yaml"
        threads: 8
        params:
            dicom_dir=str(COHORT_EXPORT.dicom_dir),
            export_tree=COHORT_EXPORT_FINGERPRINTS["dicom"],
            max_rejected_fraction=COHORT["max_rejected_fraction"],
            burned_in_annotation=COHORT["burned_in_annotation"],
            privacy=COHORT["privacy"],
            key_fingerprint=COHORT_KEY_FINGERPRINT,
        script:
            "../workflow_scripts/cohort_ingest.py"

    rule cohort_pft:
        input:
            export=cohort_export_input,
            ingest=rules.cohort_ingest.output.table,
            code=script_code("cohort_pft"),
        output:
            table=f"{COHORT_DIR}/pft.parquet",
            rejected=f"{COHORT_DIR}/pft_rejected.csv",
            summary=f"{COHORT_DIR}/pft.json",
        log:
            f"{COHORT_LOGS}/pft.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        params:
            pft_csv=str(COHORT_EXPORT.pft_csv),
            pft_fingerprint=COHORT_EXPORT_FINGERPRINTS["pft"],
            pft_columns=COHORT["pft_columns"],
            pft_checks={
                key: COHORT[key]
                for key in (
                    "pft_date_format",
                    "pft_fev1_litres",
                    "pft_fvc_litres",
                    "pft_same_day_max_ratio_difference",
                    "pft_max_rejected_fraction",
                )
            },
            privacy=COHORT["privacy"],
            key_fingerprint=COHORT_KEY_FINGERPRINT,
        script:
            "../workflow_scripts/cohort_pft.py"

    rule cohort_match:
        input:
            ingest=rules.cohort_ingest.output.table,
            pft=rules.cohort_pft.output.table,
            code=script_code("cohort_match"),
        output:
            table=f"{COHORT_DIR}/matches.parquet",
            extra_images=f"{COHORT_DIR}/extra_images.csv",
            unmatched=f"{COHORT_DIR}/unmatched.csv",
            summary=f"{COHORT_DIR}/matches.json",
        log:
            f"{COHORT_LOGS}/match.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        params:
            window_days=COHORT["window_days"],
        script:
            "../workflow_scripts/cohort_match.py"

    rule cohort_filter:
        input:
            export=cohort_export_input,
            ingest=rules.cohort_ingest.output.table,
            pft=rules.cohort_pft.output.table,
            matches=rules.cohort_match.output.table,
            code=script_code("cohort_filter"),
        output:
            table=f"{COHORT_DIR}/cohort.parquet",
            summary=f"{COHORT_DIR}/cohort.json",
        log:
            f"{COHORT_LOGS}/filter.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        params:
            transplants_csv=str(COHORT_EXPORT.transplants_csv or ""),
            transplants_fingerprint=COHORT_EXPORT_FINGERPRINTS["transplants"],
            transplant_columns=COHORT["transplant_columns"],
            max_unmatched_transplant_fraction=COHORT[
                "max_unmatched_transplant_fraction"
            ],
            copd_threshold=COHORT["copd_threshold"],
            privacy=COHORT["privacy"],
            key_fingerprint=COHORT_KEY_FINGERPRINT,
        script:
            "../workflow_scripts/cohort_filter.py"

    rule cohort_split:
        input:
            cohort=rules.cohort_filter.output.table,
            code=script_code("cohort_split"),
        output:
            splits=f"{COHORT_DIR}/splits.csv",
            pairs=f"{COHORT_DIR}/pairs.parquet",
            summary=f"{COHORT_DIR}/splits.json",
        log:
            f"{COHORT_LOGS}/split.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        params:
            split=COHORT["split"],
        script:
            "../workflow_scripts/cohort_split.py"

    rule cohort_flow:
        input:
            ingest=rules.cohort_ingest.output.table,
            pft=rules.cohort_pft.output.table,
            pft_rejected=rules.cohort_pft.output.rejected,
            extra_images=rules.cohort_match.output.extra_images,
            unmatched=rules.cohort_match.output.unmatched,
            matches=rules.cohort_match.output.table,
            cohort=rules.cohort_filter.output.table,
            cohort_summary=rules.cohort_filter.output.summary,
            splits=rules.cohort_split.output.splits,
            pairs=rules.cohort_split.output.pairs,
            code=script_code("cohort_flow"),
        output:
            table=report(
                f"{COHORT_DIR}/flow.csv",
                caption="../report/cohort_flow_table.rst",
                category="Cohort",
            ),
            figure=report(
                f"{COHORT_DIR}/flow.png",
                caption="../report/cohort_flow_figure.rst",
                category="Cohort",
            ),
            summary=f"{COHORT_DIR}/flow.json",
        log:
            f"{COHORT_LOGS}/flow.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        script:
            "../workflow_scripts/cohort_flow.py"
