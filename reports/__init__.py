"""Reports of the Kafka lab grader, the bottom layer (it imports no other package of the grader, nor pytest):
the result model (``results``) and the secret mask (``secrets``), the rubric and section titles (``rubric``,
``steps``), the renderers (JSON, HTML with its figures, the terminal verdict, junit.xml) and the gradebook
exports (Moodle, Canvas, Gradescope; the class lists they read; ``preflight`` of a Moodle import). The pytest
hooks that build the results and call them are the plugin layer's: ``fixtures/plugin/results.py``.
"""
