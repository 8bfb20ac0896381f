# Counterfactual validity (issue 9): an independent regressor R_ind, trained on the real training
# images only (never in an adversarial game), scores x' = x + Δx of every run, baseline and ground
# truth on the test pairs. One rule pair for both studies ({study}: toy, and xray when the x-ray
# stages run). Logic: vrgan/counterfactual.py.


rule regressor_independent:
    input:
        unpack(study_data),
        code=script_code("regressor_independent"),
    output:
        regressor=f"{COUNTERFACTUAL_DIR}/regressor.pt",
        history=f"{COUNTERFACTUAL_DIR}/regressor_history.csv",
        summary=f"{COUNTERFACTUAL_DIR}/regressor.json",
    log:
        f"{RESULTS}/logs/{{study}}/regressor_independent.log",
    benchmark:
        f"{RESULTS}/benchmarks/{{study}}_regressor_independent.tsv"
    wildcard_constraints:
        study="|".join(COUNTERFACTUAL_STUDIES),
    conda:
        "../envs/torch.yaml"
    threads: 2
    resources:
        gpu=1,
        runtime=60,
        mem_mb=8000,
    params:
        counterfactual=lambda wildcards: config[wildcards.study]["counterfactual"],
        regressor=lambda wildcards: config[wildcards.study]["models"]["regressor"],
        crop=lambda wildcards: (
            XRAY["preprocess"]["crop"] if wildcards.study == "xray" else None
        ),
        device=lambda wildcards: config[wildcards.study]["training"]["device"],
    script:
        "../workflow_scripts/regressor_independent.py"


rule counterfactual:
    input:
        unpack(study_data),
        regressor=rules.regressor_independent.output.regressor,
        checkpoints=study_checkpoints,
        code=script_code("counterfactual"),
    output:
        table=report(
            f"{RESULTS}/{{study}}/counterfactual.csv",
            caption="../report/counterfactual.rst",
            category="Counterfactual validity",
            labels={"study": "{study}", "table": "per seed"},
        ),
        summary=report(
            f"{RESULTS}/{{study}}/counterfactual_summary.csv",
            caption="../report/counterfactual.rst",
            category="Counterfactual validity",
            labels={"study": "{study}", "table": "summary"},
        ),
    log:
        f"{RESULTS}/logs/{{study}}/counterfactual.log",
    benchmark:
        f"{RESULTS}/benchmarks/{{study}}_counterfactual.tsv"
    wildcard_constraints:
        study="|".join(COUNTERFACTUAL_STUDIES),
    conda:
        "../envs/torch.yaml"
    threads: 2
    params:
        runs=lambda wildcards: study_runs(wildcards.study),
        val_target=lambda wildcards: (
            "target" if wildcards.study == "toy" else "target_registration"
        ),
        ring=lambda wildcards: wildcards.study == "toy",
        device=lambda wildcards: config[wildcards.study]["training"]["device"],
    script:
        "../workflow_scripts/counterfactual.py"
