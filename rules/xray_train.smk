# X-ray study (paper section 3.2, issue 5): training on the cohort (method x seed), evaluation on
# the test pairs against the registration ground truth (and the phantom's true Δx on the demo),
# trivial baselines, summaries, the Fig. 4 / Fig. 5 figures and the progression animation. The same trainer, models and
# adapters as the toy study (rules/toy.smk); data from rules/xray.smk (results/xray/data/).
# Local rules (rules/common.smk): the summary, the figures and the animation.
XRAY_RUN = f"{XRAY_DIR}/train/{{method}}/seed{{seed}}"
XRAY_STUDY = "X-ray study"
XRAY_PAIR_COLUMNS = ["pair_id", "y", "y_prime", "registration_status"]
# The primary score uses every test pair (as the paper); the second leaves out failed registrations.
XRAY_PAIR_SUBSETS = {"all": {}, "not_failed": {"registration_status": ["failed"]}}


if XRAY is not None and COHORT is not None:

    rule xray_train:
        input:
            unpack(xray_supervised_input),
            train=rules.xray_datasets.output.train,
            val=rules.xray_datasets.output.validation,
            code=TRAINING_CODE,
        output:
            best=f"{XRAY_RUN}/best.pt",
            history=f"{XRAY_RUN}/history.csv",
            plot=report(
                f"{XRAY_RUN}/history.png",
                caption="../report/training_history.rst",
                category=XRAY_STUDY,
                subcategory="Training",
                labels={"method": "{method}", "seed": "{seed}"},
            ),
        log:
            f"{XRAY_LOGS}/train_{{method}}_seed{{seed}}.log",
        benchmark:
            "results/benchmarks/xray_train_{method}_seed{seed}.tsv"
        wildcard_constraints:
            method="|".join(METHODS),
            seed=r"\d+",
        conda:
            "../envs/torch.yaml"
        threads: 2
        resources:
            gpu=1,
            runtime=240,
            mem_mb=16000,
        params:
            settings=lambda wildcards: run_settings(
                "xray", wildcards.method, wildcards.seed
            ),
            crop=XRAY["preprocess"]["crop"],
            val_target="target_registration",
        script:
            "../workflow_scripts/train.py"

    rule xray_evaluate:
        input:
            pairs=rules.xray_datasets.output.test,
            val=f"{XRAY_DIR}/data/val_pairs.npz",  # mean ground truths: input-specific NCC
            checkpoint=rules.xray_train.output.best,
            code=EVALUATION_CODE,
        output:
            f"{XRAY_DIR}/{{method}}/seed{{seed}}/test_ncc.csv",
        log:
            f"{XRAY_LOGS}/evaluate_{{method}}_seed{{seed}}.log",
        wildcard_constraints:
            method="|".join(METHODS),
            seed=r"\d+",
        conda:
            "../envs/torch.yaml"
        threads: 2
        params:
            device=XRAY["training"]["device"],
            columns=XRAY_PAIR_COLUMNS,
        script:
            "../workflow_scripts/evaluate.py"

    rule xray_baselines:
        input:
            val=rules.xray_datasets.output.validation,
            test=rules.xray_datasets.output.test,
            code=script_code("baselines"),
        output:
            f"{XRAY_DIR}/baselines/test_ncc.csv",
        log:
            f"{XRAY_LOGS}/baselines.log",
        conda:
            "../envs/torch.yaml"
        params:
            ring=False,
            val_target="target_registration",
            columns=XRAY_PAIR_COLUMNS,
        script:
            "../workflow_scripts/baselines.py"

    rule xray_summary:
        input:
            runs=[
                f"{XRAY_DIR}/{method}/seed{seed}/test_ncc.csv"
                for method, seed in study_runs("xray")
            ],
            histories=[
                f"{XRAY_DIR}/train/{method}/seed{seed}/history.csv"
                for method, seed in study_runs("xray")
            ],
            baselines=rules.xray_baselines.output[0],
            code=script_code("summary"),
        output:
            **xray_truth_summary(),
            seeds=report(
                f"{XRAY_DIR}/ncc.csv",
                caption="../report/ncc_per_seed.rst",
                category=XRAY_STUDY,
                subcategory="Results",
            ),
            summary=report(
                f"{XRAY_DIR}/summary.csv",
                caption="../report/ncc_summary.rst",
                category=XRAY_STUDY,
                subcategory="Results",
            ),
            curves=report(
                f"{XRAY_DIR}/training_curves.png",
                caption="../report/training_curves.rst",
                category=XRAY_STUDY,
                subcategory="Training",
            ),
        log:
            f"{XRAY_LOGS}/summary.log",
        localrule: True
        conda:
            "../envs/torch.yaml"
        params:
            runs=study_runs("xray"),
            scores=xray_scores(),
            subsets=XRAY_PAIR_SUBSETS,
            title="X-ray study: validation NCC (registration ground truth) per epoch",
        script:
            "../workflow_scripts/summary.py"

    rule xray_figures:
        input:
            unpack(xray_figure_models),
            pairs=rules.xray_datasets.output.test,
            code=script_code("xray_figures"),
        output:
            attribution=report(
                f"{XRAY_DIR}/figure_attribution.png",
                caption="../report/xray_figure_attribution.rst",
                category=XRAY_STUDY,
                subcategory="Figures",
            ),
            severity=report(
                f"{XRAY_DIR}/figure_severity.png",
                caption="../report/xray_figure_severity.rst",
                category=XRAY_STUDY,
                subcategory="Figures",
            ),
        log:
            f"{XRAY_LOGS}/figures.log",
        localrule: True
        conda:
            "../envs/torch.yaml"
        params:
            figure={k: XRAY["figure"][k] for k in ("y", "y_primes", "severity")},
            device=XRAY["training"]["device"],
        script:
            "../workflow_scripts/xray_figures.py"

    rule xray_progression:
        input:
            vrgan=f"{XRAY_DIR}/train/vrgan/seed{XRAY['figure']['seed']}/best.pt",
            pairs=rules.xray_datasets.output.test,
            code=script_code("xray_progression"),
        output:
            gif=report(
                f"{XRAY_DIR}/progression.gif",
                caption="../report/xray_progression.rst",
                category=XRAY_STUDY,
                subcategory="Figures",
            ),
            summary=f"{XRAY_DIR}/progression.json",
        log:
            f"{XRAY_LOGS}/progression.log",
        localrule: True
        conda:
            "../envs/torch.yaml"
        params:
            y=XRAY["figure"]["y"],
            progression=XRAY["figure"]["progression"],
            device=XRAY["training"]["device"],
        script:
            "../workflow_scripts/xray_progression.py"
