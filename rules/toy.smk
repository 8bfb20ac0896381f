# Toy study (paper section 3.1).
