"""Writes the Parquet files the task YAMLs in tasks/ read, from the Hugging Face hub (run once, with network):
  pip install datasets pyarrow && python experiments/qwen2.5-1.5b-math-instruct/prepare_data.py
data/gsm8k-dev.parquet: 250 questions drawn (seed 1) from GSM8K's train split; data/gsm8k-test.parquet: its test
split; columns question (string), answer (string: the number after '####', commas removed).
data/arc-challenge-{dev,test}.parquet: ARC-Challenge validation / test; columns question, choices (list<string>),
label (int64 index of answerKey)."""
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import load_dataset

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
os.makedirs(out, exist_ok=True)


def gsm8k(rows):
    return pa.table({
        "question": [r["question"] for r in rows],
        "answer": [r["answer"].split("####")[-1].strip().replace(",", "") for r in rows],
    })


train = list(load_dataset("openai/gsm8k", "main", split="train"))
random.Random(1).shuffle(train)
pq.write_table(gsm8k(train[:250]), os.path.join(out, "gsm8k-dev.parquet"))
pq.write_table(gsm8k(list(load_dataset("openai/gsm8k", "main", split="test"))), os.path.join(out, "gsm8k-test.parquet"))

for split, name in [("validation", "dev"), ("test", "test")]:
    rows = list(load_dataset("allenai/ai2_arc", "ARC-Challenge", split=split))
    pq.write_table(pa.table({
        "question": [r["question"] for r in rows],
        "choices": [list(r["choices"]["text"]) for r in rows],
        "label": pa.array([list(r["choices"]["label"]).index(r["answerKey"]) for r in rows], pa.int64()),
    }), os.path.join(out, f"arc-challenge-{name}.parquet"))
print("wrote", out)
