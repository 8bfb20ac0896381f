# Toy study (paper section 3.1): squares whose size is the regression target, perfect ground truth.
# data -> train (method x seed) -> evaluate on the test pairs -> summary and figure. Training,
# evaluation, baselines and summary: rules/study.smk, the same rules as the x-ray study's.
# Local rules (rules/common.smk): the paper floor and the figure.
TOY = f"{RESULTS}/toy"


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
