# Toy study (paper section 3.1): squares whose size is the regression target, perfect ground truth.
# data -> train (method x seed) -> evaluate on the test pairs -> summary and figure.
# Local rules (rules/common.smk): the paper floor, summary and figure.
TOY = f"{RESULTS}/toy"
TOY_RUN = f"{TOY}/train/{{method}}/seed{{seed}}"


rule toy_data:
    input:
        code=script_code("toy_data"),
    output:
        train=f"{TOY}/data/train.npz",
        val=f"{TOY}/data/val_pairs.npz",
        test=f"{TOY}/data/test_pairs.npz",
        summary=f"{TOY}/data/summary.json",
    log:
        f"{RESULTS}/logs/toy/data.log",
    conda:
        "../envs/data.yaml"
    params:
        data=config["toy"]["data"],
    script:
        "../workflow_scripts/toy_data.py"


rule toy_train:
    input:
        train=rules.toy_data.output.train,
        val=rules.toy_data.output.val,
        code=TRAINING_CODE,
    output:
        best=f"{TOY_RUN}/best.pt",
        history=f"{TOY_RUN}/history.csv",
        plot=report(
            f"{TOY_RUN}/history.png",
            caption="../report/training_history.rst",
            category="Toy study",
            subcategory="Training",
            labels={"method": "{method}", "seed": "{seed}"},
        ),
    log:
        f"{RESULTS}/logs/toy/train_{{method}}_seed{{seed}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/toy_train_{{method}}_seed{{seed}}.tsv"
    wildcard_constraints:
        method="|".join(METHODS),
        seed=r"\d+",
    conda:
        "../envs/torch.yaml"
    threads: 2
    resources:
        gpu=1,
        runtime=120,
        mem_mb=8000,
    params:
        settings=lambda wildcards: run_settings("toy", wildcards.method, wildcards.seed),
        crop=None,
        val_target="target",
    script:
        "../workflow_scripts/train.py"


rule toy_evaluate:
    input:
        pairs=rules.toy_data.output.test,
        val=rules.toy_data.output.val,  # the mean ground truth of the input-specific NCC
        checkpoint=rules.toy_train.output.best,
        code=EVALUATION_CODE,
    output:
        f"{TOY}/eval/{{method}}/seed{{seed}}/test_ncc.csv",
    log:
        f"{RESULTS}/logs/toy/evaluate_{{method}}_seed{{seed}}.log",
    wildcard_constraints:
        method="|".join(METHODS),
        seed=r"\d+",
    conda:
        "../envs/torch.yaml"
    threads: 2
    params:
        device=config["toy"]["training"]["device"],
    script:
        "../workflow_scripts/evaluate.py"


rule toy_baselines:
    input:
        val=rules.toy_data.output.val,
        test=rules.toy_data.output.test,
        code=script_code("baselines"),
    output:
        f"{TOY}/eval/baselines/test_ncc.csv",
    log:
        f"{RESULTS}/logs/toy/baselines.log",
    conda:
        "../envs/data.yaml"
    params:
        ring=True,
    script:
        "../workflow_scripts/baselines.py"


rule toy_paper_floor:
    input:
        code=script_code("toy_paper_floor"),
    output:
        table=report(
            f"{TOY}/paper_floor.csv",
            caption="../report/toy_paper_floor.rst",
            category="Toy study",
            subcategory="Results",
        ),
        summary=f"{TOY}/paper_floor.json",
    log:
        f"{RESULTS}/logs/toy/paper_floor.log",
    benchmark:
        f"{RESULTS}/benchmarks/toy_paper_floor.tsv"
    localrule: True
    conda:
        "../envs/data.yaml"
    resources:
        mem_mb=3000,
    params:
        floor=config["toy"]["paper_floor"],
        seeds=config["toy"]["data"]["seeds"],
        threshold=config["toy"]["data"]["threshold"],
    script:
        "../workflow_scripts/toy_paper_floor.py"


rule toy_summary:
    input:
        runs=[
            f"{TOY}/eval/{method}/seed{seed}/test_ncc.csv"
            for method, seed in study_runs("toy")
        ],
        histories=[
            f"{TOY}/train/{method}/seed{seed}/history.csv"
            for method, seed in study_runs("toy")
        ],
        baselines=rules.toy_baselines.output[0],
        code=script_code("summary"),
    output:
        seeds=report(
            f"{TOY}/ncc.csv",
            caption="../report/ncc_per_seed.rst",
            category="Toy study",
            subcategory="Results",
        ),
        summary=report(
            f"{TOY}/summary.csv",
            caption="../report/ncc_summary.rst",
            category="Toy study",
            subcategory="Results",
        ),
        curves=report(
            f"{TOY}/training_curves.png",
            caption="../report/training_curves.rst",
            category="Toy study",
            subcategory="Training",
        ),
    log:
        f"{RESULTS}/logs/toy/summary.log",
    localrule: True
    conda:
        "../envs/data.yaml"
    params:
        runs=study_runs("toy"),
        column="ncc_target",
        title="Toy study: validation NCC per epoch",
    script:
        "../workflow_scripts/summary.py"


rule toy_figure:
    input:
        pairs=rules.toy_data.output.test,
        vrgan=f"{TOY}/train/vrgan/seed{config['toy']['figure']['seed']}/best.pt",
        vagan=f"{TOY}/train/vagan/seed{config['toy']['figure']['seed']}/best.pt",
        code=script_code("toy_figure"),
    output:
        report(
            f"{TOY}/figure_toy.png",
            caption="../report/toy_figure.rst",
            category="Toy study",
            subcategory="Figures",
        ),
    log:
        f"{RESULTS}/logs/toy/figure.log",
    localrule: True
    conda:
        "../envs/torch.yaml"
    params:
        figure=config["toy"]["figure"],
        device=config["toy"]["training"]["device"],
    script:
        "../workflow_scripts/toy_figure.py"
