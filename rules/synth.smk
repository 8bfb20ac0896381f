# Synthetic hospital export (issue 3): a PACS-like DICOM export with PFT tables and the truth
# behind it, so the x-ray branch runs without private data and can be validated exactly.
# Local rule (rules/common.smk): the figure.
SYNTH_EXPORT = f"{RESULTS}/demo_export"


rule synth_export:
    input:
        code=script_code("synth_export"),
    output:
        dicom=directory(f"{SYNTH_EXPORT}/dicom"),
        truth=directory(f"{SYNTH_EXPORT}/truth"),
        pft=f"{SYNTH_EXPORT}/pft.csv",
        transplants=f"{SYNTH_EXPORT}/transplants.csv",
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
        report(
            f"{SYNTH_EXPORT}/figure_subjects.png",
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
