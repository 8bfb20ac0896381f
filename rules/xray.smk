# X-ray stages (paper section 3.2, issue 5): preprocessing of every cohort image, registration
# ground truth of the validation/test pairs and its figure, the phantom's true maps (demo
# export only) and the datasets the trainer reads. Logic: vrgan/preprocessing.py,
# vrgan/registration.py, vrgan/xray/. Needs the cohort stages (rules/cohort.smk).
# Local rule (rules/common.smk): the registration figure.


include: "xray_common.smk"


if XRAY is not None and COHORT is not None:

    rule xray_preprocess:
        input:
            cohort=rules.cohort_filter.output.table,
            images=rules.cohort_ingest.output.images,
            code=script_code("xray_preprocess"),
        output:
            preprocessed=directory(f"{XRAY_DIR}/preprocessed"),
            summary=f"{XRAY_DIR}/preprocess.json",
        log:
            f"{XRAY_LOGS}/preprocess.log",
        benchmark:
            "results/benchmarks/xray_preprocess.tsv"
        conda:
            "../envs/imaging.yaml"
        threads: 4
        params:
            resize=XRAY["preprocess"]["resize"],
        script:
            "../workflow_scripts/xray_preprocess.py"

    rule xray_register:
        input:
            preprocessed=rules.xray_preprocess.output.preprocessed,
            pairs=rules.cohort_split.output.pairs,
            code=script_code("xray_register"),
        output:
            table=f"{XRAY_DIR}/registration.parquet",
            maps=f"{XRAY_DIR}/registration_maps.npz",
            summary=f"{XRAY_DIR}/registration.json",
        log:
            f"{XRAY_LOGS}/register.log",
        benchmark:
            "results/benchmarks/xray_register.tsv"
        conda:
            "../envs/imaging.yaml"
        threads: 4
        params:
            registration=XRAY["registration"],
        script:
            "../workflow_scripts/xray_register.py"

    rule xray_registration_figure:
        input:
            unpack(xray_truth_input),
            preprocessed=rules.xray_preprocess.output.preprocessed,
            table=rules.xray_register.output.table,
            maps=rules.xray_register.output.maps,
            code=script_code("xray_registration_figure"),
        output:
            figure=report(
                f"{XRAY_DIR}/figure_registration.png",
                caption="../report/xray_figure_registration.rst",
                category="X-ray study",
                subcategory="Registration",
            ),
        log:
            f"{XRAY_LOGS}/registration_figure.log",
        localrule: True
        conda:
            "../envs/imaging.yaml"
        params:
            n_pairs=XRAY["figure_pairs"],
        script:
            "../workflow_scripts/xray_registration_figure.py"

    rule xray_datasets:
        input:
            unpack(xray_truth_input),
            preprocessed=rules.xray_preprocess.output.preprocessed,
            cohort=rules.cohort_filter.output.table,
            splits=rules.cohort_split.output.splits,
            pairs=rules.cohort_split.output.pairs,
            registration=rules.xray_register.output.table,
            registration_maps=rules.xray_register.output.maps,
            code=script_code("xray_datasets"),
        output:
            train=f"{XRAY_DIR}/data/train.npz",
            validation=f"{XRAY_DIR}/data/val_pairs.npz",
            test=f"{XRAY_DIR}/data/test_pairs.npz",
            summary=f"{XRAY_DIR}/data/datasets.json",
        log:
            f"{XRAY_LOGS}/datasets.log",
        conda:
            "../envs/imaging.yaml"
        params:
            crop=XRAY["preprocess"]["crop"],
        script:
            "../workflow_scripts/xray_datasets.py"
