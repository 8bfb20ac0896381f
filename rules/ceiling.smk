# The supervised ceiling (issue 9): the training method "supervised" (vrgan.training) learns the
# true maps directly. The toy renders them from the labels (rules/toy.smk, no extra data); the
# x-ray demo needs pairs of exams of one training subject with the phantom's true Δx, made here.
# Never on a real export (there is no truth): xray_config_errors rejects that config.


include: "ceiling_common.smk"


if XRAY_SUPERVISED:

    rule xray_train_pairs:
        input:
            truth=DEMO_TRUTH,
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
