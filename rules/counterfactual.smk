# Counterfactual validity (issue 9): an independent regressor R_ind, trained on the real training
# images only (never in an adversarial game), scores x' = x + Δx of every run, baseline and ground
# truth on the test pairs. One pair of rules per study, {study}_regressor_independent and
# {study}_counterfactual (toy, and xray when the x-ray stages run), made by one loop so that the
# two studies cannot drift apart. Logic: vrgan/counterfactual.py.


for study in TRAINED_STUDIES:

    rule:
        name:
            f"{study}_regressor_independent"
        input:
            **study_data(study),
            code=script_code("regressor_independent"),
        output:
            regressor=f"{RESULTS}/{study}/counterfactual/regressor.pt",
            history=f"{RESULTS}/{study}/counterfactual/regressor_history.csv",
            summary=f"{RESULTS}/{study}/counterfactual/regressor.json",
        log:
            f"{RESULTS}/logs/{study}/regressor_independent.log",
        benchmark:
            f"{RESULTS}/benchmarks/{study}_regressor_independent.tsv"
        conda:
            "../envs/torch.yaml"
        threads: 2
        resources:
            gpu=1,
            runtime=60,
            mem_mb=8000,
        params:
            counterfactual=config[study]["counterfactual"],
            regressor=config[study]["models"]["regressor"],
            crop=XRAY["preprocess"]["crop"] if study == "xray" else None,
            device=config[study]["training"]["device"],
        script:
            "../workflow_scripts/regressor_independent.py"

    rule:
        name:
            f"{study}_counterfactual"
        input:
            **study_data(study),
            regressor=getattr(rules, f"{study}_regressor_independent").output.regressor,
            checkpoints=study_checkpoints(study),
            code=script_code("counterfactual"),
        output:
            table=report(
                f"{RESULTS}/{study}/counterfactual.csv",
                caption="../report/counterfactual.rst",
                category=STUDY_CATEGORY[study],
                subcategory="Counterfactual validity",
                labels={"study": study, "table": "per seed"},
            ),
            summary=report(
                f"{RESULTS}/{study}/counterfactual_summary.csv",
                caption="../report/counterfactual.rst",
                category=STUDY_CATEGORY[study],
                subcategory="Counterfactual validity",
                labels={"study": study, "table": "summary"},
            ),
        log:
            f"{RESULTS}/logs/{study}/counterfactual.log",
        benchmark:
            f"{RESULTS}/benchmarks/{study}_counterfactual.tsv"
        conda:
            "../envs/torch.yaml"
        threads: 2
        params:
            runs=study_runs(study),
            val_target="target" if study == "toy" else "target_registration",
            ring=study == "toy",
            device=config[study]["training"]["device"],
        script:
            "../workflow_scripts/counterfactual.py"
