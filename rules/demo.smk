# The demo wing (library: vrgan/demo; helpers: rules/demo_common.smk): the synthetic hospital
# export, a PACS-like DICOM export with PFT tables and the truth behind it, so that the x-ray
# branch runs without private data; and the checks against that truth: the cohort flow against
# what was planted, the registration ground truth against the phantom's true Δx, and the pairs
# of the x-ray supervised ceiling. Nothing here runs on a user's export (cohort.source: export).
# Local rules (rules/common.smk): the export's figure, the flow check.


rule synth_export:
    input:
        code=script_code("synth_export"),
    output:
        dicom=directory(f"{DEMO_EXPORT}/dicom"),
        truth=directory(f"{DEMO_EXPORT}/truth"),
        pft=f"{DEMO_EXPORT}/pft.csv",
        transplants=f"{DEMO_EXPORT}/transplants.csv",
    log:
        f"{RESULTS}/logs/synth_export.log",
    benchmark:
        f"{RESULTS}/benchmarks/synth_export.tsv"
    conda:
        "../envs/imaging.yaml"
    params:
        subjects=config["synth"]["subjects"],
        seed=config["synth"]["seed"],
        size=config["synth"]["size"],
    script:
        "../workflow_scripts/synth_export.py"


rule synth_figure:
    input:
        dicom=rules.synth_export.output.dicom,
        truth=rules.synth_export.output.truth,
        code=script_code("synth_figure"),
    output:
        figure=report(
            f"{DEMO_EXPORT}/figure_subjects.png",
            caption="../report/synth_figure_subjects.rst",
            category="Synthetic export",
        ),
    log:
        f"{RESULTS}/logs/synth_figure.log",
    localrule: True
    conda:
        "../envs/imaging.yaml"
    params:
        subjects=config["synth"]["figure_subjects"],
        visits=config["synth"]["figure_visits"],
    script:
        "../workflow_scripts/synth_figure.py"


if DEMO:

    rule cohort_flow_vs_truth:
        input:
            truth=rules.synth_export.output.truth,
            flow=rules.cohort_flow.output.table,
            ingest=rules.cohort_ingest.output.table,
            pft_rejected=rules.cohort_pft.output.rejected,
            matches=rules.cohort_match.output.table,
            cohort=rules.cohort_filter.output.table,
            splits=rules.cohort_split.output.splits,
            pairs=rules.cohort_split.output.pairs,
            code=script_code("cohort_flow_vs_truth"),
        output:
            table=report(
                f"{COHORT_DIR}/flow_vs_truth.csv",
                caption="../report/cohort_flow_vs_truth.rst",
                category="Cohort",
            ),
        log:
            f"{COHORT_LOGS}/flow_vs_truth.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        params:
            privacy=COHORT["privacy"],
            key_fingerprint=COHORT_KEY_FINGERPRINT,
        script:
            "../workflow_scripts/cohort_flow_vs_truth.py"


if XRAY_TRUTH:

    rule xray_truth_maps:
        input:
            truth=rules.synth_export.output.truth,
            pairs=rules.cohort_split.output.pairs,
            images=rules.cohort_ingest.output.images,
            preprocessed=rules.xray_preprocess.output.preprocessed,
            registration=rules.xray_register.output.table,
            registration_maps=rules.xray_register.output.maps,
            code=script_code("xray_truth_maps"),
        output:
            maps=f"{XRAY_DIR}/truth_maps.npz",
            table=f"{XRAY_DIR}/truth_maps.csv",
            comparison=report(
                f"{XRAY_DIR}/truth_vs_registration.csv",
                caption="../report/xray_truth_vs_registration.rst",
                category="X-ray study",
                subcategory="Registration",
            ),
            summary=f"{XRAY_DIR}/truth_maps.json",
        log:
            f"{XRAY_LOGS}/truth_maps.log",
        conda:
            "../envs/imaging.yaml"
        params:
            resize=XRAY["preprocess"]["resize"],
            crop=XRAY["preprocess"]["crop"],
            privacy=COHORT["privacy"],
            key_fingerprint=COHORT_KEY_FINGERPRINT,
        script:
            "../workflow_scripts/xray_truth_maps.py"


if XRAY_SUPERVISED:

    rule xray_train_pairs:
        input:
            truth=rules.synth_export.output.truth,
            cohort=rules.cohort_filter.output.table,
            splits=rules.cohort_split.output.splits,
            images=rules.cohort_ingest.output.images,
            preprocessed=rules.xray_preprocess.output.preprocessed,
            code=script_code("xray_train_pairs"),
        output:
            pairs=f"{XRAY_DIR}/data/train_pairs_truth.npz",
            summary=f"{XRAY_DIR}/data/train_pairs_truth.json",
        log:
            f"{XRAY_LOGS}/train_pairs.log",
        benchmark:
            "results/benchmarks/xray_train_pairs.tsv"
        conda:
            "../envs/imaging.yaml"
        params:
            resize=XRAY["preprocess"]["resize"],
            privacy=COHORT["privacy"],
            key_fingerprint=COHORT_KEY_FINGERPRINT,
        script:
            "../workflow_scripts/xray_train_pairs.py"
