# What every study does with its data (toy: rules/toy.smk; x-ray: rules/xray.smk): train each
# method and seed, score the best checkpoint on the test pairs, score the trivial baselines
# (the floor), summarise. One definition, made once per study by the loop below, so that the
# studies cannot drift apart; the rules keep their per-study names ({study}_train, ...), which
# the cluster profile sizes one by one. What differs between the studies: study_setup in
# rules/study_common.smk.
#
# The supervised ceiling (issue 9) is the training method "supervised" (vrgan.training): it
# learns the true maps directly. The toy renders them from the labels (no extra data); the x-ray
# demo needs pairs of exams of one training subject with the phantom's true Δx (rule
# xray_train_pairs, rules/demo.smk). Never on a real export (there is no truth):
# xray_config_errors rejects that config.


include: "study_common.smk"


for study in TRAINED_STUDIES:
    setup = study_setup(study)
    run = f"{RESULTS}/{study}/train/{{method}}/seed{{seed}}"
    evaluation = f"{setup['eval_dir']}/{{method}}/seed{{seed}}/test_ncc.csv"

    rule:
        name:
            f"{study}_train"
        input:
            unpack(study_extra_training_input(study)),
            train=study_data(study)["train"],
            val=study_data(study)["val"],
            code=TRAINING_CODE,
        output:
            best=f"{run}/best.pt",
            history=f"{run}/history.csv",
            plot=report(
                f"{run}/history.png",
                caption="../report/training_history.rst",
                category=STUDY_CATEGORY[study],
                subcategory="Training",
                labels={"method": "{method}", "seed": "{seed}"},
            ),
        log:
            f"{RESULTS}/logs/{study}/train_{{method}}_seed{{seed}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/{study}_train_{{method}}_seed{{seed}}.tsv"
        wildcard_constraints:
            method="|".join(METHODS),
            seed=r"\d+",
        conda:
            "../envs/torch.yaml"
        threads: 2
        resources:
            **setup["train_resources"],
            gpu=1,
        params:
            settings=study_settings(study),
            crop=setup["crop"],
            val_target=setup["val_target"],
        script:
            "../workflow_scripts/train.py"

    rule:
        name:
            f"{study}_evaluate"
        input:
            pairs=study_data(study)["test"],
            val=study_data(study)["val"],  # the mean ground truths of the input-specific NCC
            checkpoint=getattr(rules, f"{study}_train").output.best,
            code=EVALUATION_CODE,
        output:
            evaluation,
        log:
            f"{RESULTS}/logs/{study}/evaluate_{{method}}_seed{{seed}}.log",
        wildcard_constraints:
            method="|".join(METHODS),
            seed=r"\d+",
        conda:
            "../envs/torch.yaml"
        threads: 2
        params:
            device=config[study]["training"]["device"],
            columns=setup["columns"],
        script:
            "../workflow_scripts/evaluate.py"

    rule:
        name:
            f"{study}_baselines"
        input:
            val=study_data(study)["val"],
            test=study_data(study)["test"],
            code=script_code("baselines"),
        output:
            f"{setup['eval_dir']}/baselines/test_ncc.csv",
        log:
            f"{RESULTS}/logs/{study}/baselines.log",
        conda:
            "../envs/data.yaml"
        params:
            ring=setup["ring"],
            val_target=setup["val_target"],
            columns=setup["baseline_columns"],
        script:
            "../workflow_scripts/baselines.py"

    rule:
        name:
            f"{study}_summary"
        input:
            runs=study_run_files(study, evaluation),
            histories=study_run_files(
                study, getattr(rules, f"{study}_train").output.history
            ),
            baselines=getattr(rules, f"{study}_baselines").output[0],
            code=script_code("summary"),
        output:
            **(xray_truth_summary() if study == "xray" else {}),
            seeds=report(
                f"{RESULTS}/{study}/ncc.csv",
                caption="../report/ncc_per_seed.rst",
                category=STUDY_CATEGORY[study],
                subcategory="Results",
            ),
            summary=report(
                f"{RESULTS}/{study}/summary.csv",
                caption="../report/ncc_summary.rst",
                category=STUDY_CATEGORY[study],
                subcategory="Results",
            ),
            curves=report(
                f"{RESULTS}/{study}/training_curves.png",
                caption="../report/training_curves.rst",
                category=STUDY_CATEGORY[study],
                subcategory="Training",
            ),
        log:
            f"{RESULTS}/logs/{study}/summary.log",
        localrule: True
        conda:
            "../envs/data.yaml"
        params:
            **setup["summary"],
            runs=study_runs(study),
        script:
            "../workflow_scripts/summary.py"
