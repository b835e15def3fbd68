"""The texts of the hand-labelled set (tests/data/feedback_labelled.tsv, its sixth column), which the
throughput and cost benchmarks feed the engine."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABELLED = os.path.join(ROOT, "tests", "data", "feedback_labelled.tsv")


def labelled_texts(path=LABELLED):
    """The text of each row of a labelled-set TSV, header left out, in file order."""
    with open(path, encoding="utf-8") as f:
        f.readline()
        return [line.rstrip("\n").split("\t")[5] for line in f if line.strip()]
