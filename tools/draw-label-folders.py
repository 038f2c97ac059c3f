#!/usr/bin/env python3
"""The seeded draw of the corpus folders labelled for the evaluation (docs/evaluation.md).

Candidates: every folder of the corpus with a lib/MODEL_FAILURES.md and a
lib/MODEL_RESPONSE.md that tests/labels/tuned.tsv (the labels the rules were written
from) does not name. They are sorted, shuffled with a fixed seed, and the first 210 are
labelled: the first 100 form the test split, the next 110 the dev split. The split is
fixed by the draw before anything is labelled, so no label's split depends on what
tfreview finds.

usage: tools/draw-label-folders.py CORPUS  -> prints "split<TAB>folder" lines
"""
import os
import random
import sys

SEED = 20261130
TEST, DEV = 100, 110


def main():
    corpus = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    tuned = set()
    with open(os.path.join(here, "..", "tests", "labels", "tuned.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                tuned.add(line.split("\t")[0])
    candidates = sorted(
        d
        for d in os.listdir(corpus)
        if d not in tuned
        and os.path.isfile(os.path.join(corpus, d, "lib", "MODEL_FAILURES.md"))
        and os.path.isfile(os.path.join(corpus, d, "lib", "MODEL_RESPONSE.md"))
    )
    random.Random(SEED).shuffle(candidates)
    for i, folder in enumerate(candidates[: TEST + DEV]):
        print(("test" if i < TEST else "dev") + "\t" + folder)


if __name__ == "__main__":
    main()
