"""Train a LoRA of Whisper's decoder on precomputed encoder outputs; export it as a delta.

Only the decoder learns (docs/MODEL-NOTES.md, "Adapting the model": ~0.5 s a step of 8 on 2 cores
with short encoder windows), so each clip's encoder output is computed once by ``data.build``.
Batches are drawn from clips of the same window length, so no padding enters cross-attention. The
loss covers the target tokens only, after Whisper's prompt
``<|startoftranscript|><|pt|><|transcribe|><|notimestamps|>``. Deterministic: the same examples,
seed and settings give the same delta.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core import delta as delta_mod
from app.lab.adapt import convert
from app.lab.adapt.data import Example

PROMPT = [50258, 50267, 50359, 50363]  # sot, pt, transcribe, notimestamps
EOT = 50257
# Every linear of every decoder layer: self-attention q/k/v/out, cross-attention q/k/v/out, ffn.
TARGETS = (
    r"model\.decoder\.layers\.\d+\."
    r"((self_attn|encoder_attn)\.(q_proj|k_proj|v_proj|out_proj)|fc1|fc2)"
)


@dataclass(frozen=True)
class TrainOptions:
    steps: int = 1500
    batch: int = 8
    lr: float = 5e-4
    rank: int = 16
    alpha: int = 32
    warmup: int = 50
    seed: int = 1
    threads: int = 2
    validate_every: int = 250


@dataclass
class TrainReport:
    options: TrainOptions
    examples: int
    held_out: int
    seconds: float
    losses: list[tuple[int, float | None, float]]  # step, train loss since last, held-out


def _batches(examples: list[Example], batch: int, rng: random.Random) -> list[list[Example]]:
    """Batches of clips with equal encoder windows (one pass over the data, shuffled)."""
    groups: defaultdict[int, list[Example]] = defaultdict(list)
    for e in examples:
        groups[round(e.frames / 25)].append(e)
    out = []
    for key in sorted(groups):
        members = groups[key][:]
        rng.shuffle(members)
        out += [members[i : i + batch] for i in range(0, len(members), batch)]
    rng.shuffle(out)
    return out


def _tensors(batch: list[Example], features: Path, tokenize: Callable[[str], list[int]]):
    import torch

    arrays = [np.load(features / (Path(e.spec.file).stem + ".npy")) for e in batch]
    frames = min(a.shape[0] for a in arrays)
    enc = torch.from_numpy(np.stack([a[:frames] for a in arrays]).astype(np.float32))
    seqs = [[*PROMPT, *tokenize(e.target), EOT] for e in batch]
    width = max(len(s) for s in seqs) - 1
    inputs = torch.full((len(seqs), width), EOT, dtype=torch.long)
    labels = torch.full((len(seqs), width), -100, dtype=torch.long)
    for i, s in enumerate(seqs):
        inputs[i, : len(s) - 1] = torch.tensor(s[:-1])
        labels[i, len(PROMPT) - 1 : len(s) - 1] = torch.tensor(s[len(PROMPT) :])
    return enc, inputs, labels


def _loss(model, enc, inputs, labels):
    import torch

    hidden = model.base_model.model.model.decoder(
        input_ids=inputs, encoder_hidden_states=enc
    ).last_hidden_state
    logits = model.base_model.model.proj_out(hidden)
    return torch.nn.functional.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100)


def train(
    base_bin: Path,
    tokenizer_json: Path,
    examples: list[Example],
    features: Path,
    options: TrainOptions,
    progress: Callable[[str], None] = print,
):
    """Train and return (peft model, report)."""
    import tokenizers
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(options.seed)
    tok = tokenizers.Tokenizer.from_file(str(tokenizer_json))

    def tokenize(text: str) -> list[int]:
        return tok.encode(text, add_special_tokens=False).ids

    ordered = sorted(examples, key=lambda e: e.spec.file)
    rng.shuffle(ordered)
    held = ordered[: max(1, min(len(ordered) // 4, max(8, len(ordered) // 20)))]
    trainset = ordered[len(held) :]
    model = convert.to_hf(base_bin)
    config = LoraConfig(
        r=options.rank, lora_alpha=options.alpha, lora_dropout=0.0, target_modules=TARGETS
    )
    model = get_peft_model(model, config)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=options.lr, weight_decay=0.0)

    def lr_at(step: int) -> float:
        if step < options.warmup:
            return (step + 1) / options.warmup
        done = (step - options.warmup) / max(1, options.steps - options.warmup)
        return 0.5 * (1 + math.cos(math.pi * done))

    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_at)
    held_batches = _batches(held, options.batch, random.Random(0))

    def held_loss() -> float:
        model.eval()
        with torch.no_grad():
            losses = [_loss(model, *_tensors(b, features, tokenize)).item() for b in held_batches]
        model.train()
        return float(np.mean(losses))

    report = TrainReport(options, len(trainset), len(held), 0.0, [(0, None, held_loss())])
    first = report.losses[0][2]
    progress(f"{len(trainset)} training clips, {len(held)} held out; held-out loss {first:.3f}")
    start = time.perf_counter()
    queue: list[list[Example]] = []
    running: list[float] = []
    model.train()
    for step in range(1, options.steps + 1):
        if not queue:
            queue = _batches(trainset, options.batch, rng)
        loss = _loss(model, *_tensors(queue.pop(), features, tokenize))
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        sched.step()
        running.append(loss.item())
        if step % options.validate_every == 0 or step == options.steps:
            h = held_loss()
            report.losses.append((step, float(np.mean(running)), h))
            took = time.perf_counter() - start
            progress(
                f"step {step}/{options.steps}: train loss {np.mean(running):.3f}, "
                f"held-out {h:.3f} ({took / step:.2f} s/step, {took / 60:.1f} min)"
            )
            running = []
    report.seconds = time.perf_counter() - start
    return model, report


def export(model) -> list[delta_mod.LowRank]:
    """The trained low-rank pairs, named by the CTranslate2 weights they update."""
    updates = []
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            a = module.lora_A["default"].weight.detach().numpy()
            b = module.lora_B["default"].weight.detach().numpy()
            target, row = convert.ct2_target(name.removeprefix("base_model.model."))
            updates.append(
                delta_mod.LowRank(target, row, a.astype(np.float16), b.astype(np.float16))
            )
    return sorted(updates, key=lambda u: (u.name, u.row))
