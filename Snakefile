# vrgan-pipeline: visual attribution in regression (VR-GAN) on chest x-rays.
# This file only validates the config and includes the stages; logic lives in vrgan/.
from snakemake.utils import min_version, validate
from vrgan_workflow.params import key_order_free

min_version("9.0")


configfile: "config.yaml"


validate(config, "schemas/config.schema.yaml")
# Params compare by repr: reordering keys inside a section must not rerun anything.
config.update({section: key_order_free(value) for section, value in config.items()})


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/toy.smk"
include: "rules/cohort.smk"
include: "rules/xray.smk"
include: "rules/demo.smk"
include: "rules/study.smk"
include: "rules/xray_figures.smk"
include: "rules/counterfactual.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        toy_outputs(),
        cohort_outputs(),
        xray_outputs(),
        demo_outputs(),
        counterfactual_outputs(),
        f"{REPORT_DIR}/summary.md",
