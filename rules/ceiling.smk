# The supervised ceiling (issue 9): the training method "supervised" (vrgan.training) learns the
# true maps directly. The toy renders them from the labels (rules/toy.smk, no extra data); the
# x-ray demo needs pairs of exams of one training subject with the phantom's true Δx (rule
# xray_train_pairs, rules/demo.smk). Never on a real export (there is no truth): xray_config_errors
# rejects that config.


include: "ceiling_common.smk"
