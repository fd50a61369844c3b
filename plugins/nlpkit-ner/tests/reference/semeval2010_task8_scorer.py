"""The SemEval-2010 Task 8 official scorer, re-implemented for the parity tests.

Source: ``semeval2010_task8_scorer-v1.2.pl`` by Preslav Nakov (March 22, 2010),
distributed with the SemEval-2010 Task 8 data (Hendrickx et al. 2010). This follows
the Perl script step by step for the official evaluation (iii), "(9+1)-way
classification with directionality taken into account": the same label check
(``getIDandLabel``: the 18 directional labels and ``Other``, renamed ``_Other``), the
same confusion matrix with its ``WRONG_DIR`` row (steps 2.3-2.4), the same per-relation
P/R/F1 over the answer key's labels (step 8, in percent) and the same macro average
divided by the number of key labels other than ``_Other`` (step 10). The printing is
left out. It is kept close to the Perl rather than to nlpkit's code on purpose.
"""

from __future__ import annotations

import re

RELATIONS = [
    "Cause-Effect", "Component-Whole", "Content-Container", "Entity-Destination", "Entity-Origin",
    "Instrument-Agency", "Member-Collection", "Message-Topic", "Product-Producer",
]
VALID = {f"{r}({d})" for r in RELATIONS for d in ("e1,e2", "e2,e1")}


def get_label(label):
    """getIDandLabel: Other → _Other; one of the 18 directional labels; else the script dies."""
    if label == "Other":
        return "_Other"
    if label in VALID:
        return label
    raise ValueError(f"Bad file format: {label!r}")


def no_dir(label):
    return re.sub(r"\(e[12],e[12]\)[\n\r]*$", "", label)


def score(proposed, answer):
    """proposed / answer: id → label. Returns the official (iii) figures in percent."""
    ids_proposed = {i: get_label(label) for i, label in proposed.items()}
    ids_answer = {i: get_label(label) for i, label in answer.items()}
    total_proposed, total_answer = len(ids_proposed), len(ids_answer)
    conf = {}
    all_labels_proposed = {}
    all_labels_answer = {}

    def inc(table, *keys):
        for key in keys[:-1]:
            table = table.setdefault(key, {})
        table[keys[-1]] = table.get(keys[-1], 0) + 1

    # 2. the confusion matrix *with* direction (2.4)
    for i in ids_proposed:
        if i not in ids_answer:
            raise ValueError(f"bad ID: {i!r}")
        label_proposed, label_answer = ids_proposed[i], ids_answer[i]
        proposed_no_dir, answer_no_dir = no_dir(label_proposed), no_dir(label_answer)
        if label_proposed == label_answer:
            inc(conf, proposed_no_dir, answer_no_dir)
            inc(all_labels_proposed, proposed_no_dir)
        elif proposed_no_dir == answer_no_dir:
            inc(conf, "WRONG_DIR", answer_no_dir)
            inc(all_labels_proposed, "WRONG_DIR")
        else:
            inc(conf, proposed_no_dir, answer_no_dir)
            inc(all_labels_proposed, proposed_no_dir)
    # 3. the answer distribution
    for i in ids_answer:
        inc(all_labels_answer, no_dir(ids_answer[i]))

    def cell(p, a):
        return conf.get(p, {}).get(a, 0)

    # evaluate(), useWrongDir = 1
    freq_correct = sum(cell(a, a) for a in all_labels_answer)
    macro_p = macro_r = macro_f1 = 0.0
    micro_correct = micro_proposed = micro_answer = 0
    per_relation = {}
    for label_answer in sorted(all_labels_answer):
        wrong_direction_cnt = cell("WRONG_DIR", label_answer)
        n_proposed = all_labels_proposed.get(label_answer, 0)
        p = 0 if n_proposed == 0 else 100.0 * cell(label_answer, label_answer) / (n_proposed + wrong_direction_cnt)
        r = 0 if all_labels_answer[label_answer] == 0 else 100.0 * cell(label_answer, label_answer) / all_labels_answer[label_answer]
        f1 = 0 if p + r == 0 else 2 * p * r / (p + r)
        per_relation[label_answer] = {"P": p, "R": r, "F1": f1}
        if label_answer != "_Other":
            macro_p += p
            macro_r += r
            macro_f1 += f1
            micro_correct += cell(label_answer, label_answer)
            micro_proposed += n_proposed + wrong_direction_cnt
            micro_answer += all_labels_answer[label_answer]
    micro_p = 0 if micro_proposed == 0 else 100.0 * micro_correct / micro_proposed
    micro_r = 0 if micro_answer == 0 else 100.0 * micro_correct / micro_answer
    micro_f1 = 0 if micro_p + micro_r == 0 else 2.0 * micro_p * micro_r / (micro_p + micro_r)
    distinct_labels_cnt = len(all_labels_answer) - (1 if "_Other" in all_labels_answer else 0)
    macro_p /= distinct_labels_cnt  # the Perl dies here ("Illegal division by zero") when the key is all Other
    macro_r /= distinct_labels_cnt
    macro_f1 /= distinct_labels_cnt
    return {
        "macro_P": macro_p, "macro_R": macro_r, "macro_F1": macro_f1,
        "micro_P": micro_p, "micro_R": micro_r, "micro_F1": micro_f1,
        "accuracy": 100.0 * freq_correct / total_proposed, "per_relation": per_relation,
    }
