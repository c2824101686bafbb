"""Graded checks of the Kafka lab, one folder per lab section (``s2_deploy``, ``s3_1_velib``, ``s3_2_multinode``,
``s4_streaming``: their checks, hints and the grading logic of that section; select them with ``--step 2`` or
``pytest -k``), and what several sections share: the fixtures of the dependency chain (``conftest``), the group
and topic checks (``group_checks``, ``topic_checks``) and the KRaft/ZooKeeper split (``kraft``).
"""
