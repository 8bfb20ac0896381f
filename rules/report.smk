# The study's report (issue 6): results/report/summary.md, the paper's results table beside ours,
# the cohort flow, the registration, the figures and the provenance (config, versions, commit);
# results.csv holds the results table in numbers. Logic: vrgan/report.py. A local rule
# (rules/common.smk).
#
# params: the whole config, since the report shows it in full: any config change reruns this
# (cheap) rule, which follows every stage anyway. The commit and the snakemake version are params
# too, so that the report always names the commit and the tree state it was written from.
include: "report_common.smk"


rule report:
    input:
        **report_inputs(),
        code=script_code("report"),
    output:
        summary=report(
            f"{REPORT_DIR}/summary.md",
            caption="../report/report_summary.rst",
            category="Report",
        ),
        table=report(
            f"{REPORT_DIR}/results.csv",
            caption="../report/report_results.rst",
            category="Report",
        ),
    log:
        f"{RESULTS}/logs/report.log",
    localrule: True
    conda:
        "../envs/data.yaml"
    params:
        config=config,
        provenance=REPORT_PROVENANCE,
    script:
        "../workflow_scripts/report.py"
