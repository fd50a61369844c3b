"""Engines: compute shared by tasks, built on the contracts only.

Backends (`backends`), head building blocks (`classification`, `generation`), the
inference loop (`inference`), training (`training`), readers (`readers`), pooling
and the metric base class (`metrics`). Heavy libraries load on first use.
"""
