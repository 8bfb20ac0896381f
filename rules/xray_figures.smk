# X-ray study (paper section 3.2, issue 5): the Fig. 4 / Fig. 5 figures and the progression
# animation, drawn from the trained models. Training on the cohort (method x seed), evaluation on
# the test pairs against the registration ground truth (and the phantom's true Δx on the demo),
# trivial baselines and summaries: rules/study.smk, the same rules as the toy study's; data from
# rules/xray.smk (results/xray/data/). Local rules (rules/common.smk): the figures and the animation.


if XRAY is not None and COHORT is not None:

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
