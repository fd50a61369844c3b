"""The metric base class (`base.NlpkitMetric`) and the metrics two or more tasks share
(`classification`: accuracy and F1). Task-specific metrics live in their plugins."""
