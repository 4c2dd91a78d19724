#!/usr/bin/python3
"""Writes a GPT-2-architecture decoder as ONNX with a paged KV cache, for Kairos' generative engine.

GPT-2's blocks are written here in plain torch (Debian has no `transformers`), with the parameter
names of Hugging Face's GPT2LMHeadModel, so a real checkpoint loads with --weights.

The ONNX signature (what dev.kairos.generative reads from the file). One call computes two groups
of sequences over one pass of the weights: decoding sequences (one new token each) and prompt
chunks (several each, right-padded). The dense layers run on the tokens of both groups stacked
together; only attention is computed per group, each row over its own past. Either group may be
empty (a dimension of 0), so a step with only decodes or only a prompt is the same graph.
  inputs
    decode_ids          int64 [D]              the new token of each decoding sequence
    decode_positions    int64 [D]
    decode_block_tables int64 [D, ND]          KV blocks of each decoding sequence's past
    decode_mask         int64 [D, ND*BS+1]     1 where a key is real: the first `past` slots, and
                                               the new token (last)
    input_ids           int64 [B, T]           new tokens of each prompt chunk, right-padded
    position_ids        int64 [B, T]
    block_tables        int64 [B, NB]          KV blocks of each chunk's past, in order; block 0
                                               is the null block the runtime keeps for padding
    attention_mask      int64 [B, NB*BS+T]     1 where a key is real: the first `past` slots of
                                               the gathered blocks, then the new tokens that are
                                               not padding
    logits_index        int64 [B]              which of the T positions to return logits for
    key_cache.L         float [NBLK, H, BS, Dh]   the block pool of layer L, shared by every row
    value_cache.L       float [NBLK, H, BS, Dh]
  outputs
    logits              float [D+B, V]         the decoding rows first, then each chunk's
                                               logits_index position
    decode_key.L / decode_value.L  float [D, H, Dh]     the decoding tokens' keys and values
    key.L / value.L                float [B, H, T, Dh]  the chunks' keys and values
    (the runtime writes both into the sequences' blocks)

  tiny:  /usr/bin/python3 tools/models/make_gpt2.py tiny  examples/models/gpt2-tiny --tokens T.json
  small: /usr/bin/python3 tools/models/make_gpt2.py small tools/models/out/gpt2-small
  yours: /usr/bin/python3 tools/models/make_gpt2.py small DIR --weights pytorch_model.bin --heads 12
         (layers, width and context are read from the checkpoint; heads are not in it)
"""
import argparse
import json
import math
import os
import shutil

import torch
import torch.nn as nn

SIZES = {
    # vocab stays GPT-2's so the real tokenizer fits; the tied embedding dominates the file.
    "tiny": dict(n_layer=2, n_head=4, n_embd=32, n_ctx=128),
    "small": dict(n_layer=12, n_head=12, n_embd=768, n_ctx=1024),
}
VOCAB = 50257
MASKED = -1e9


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight stored [in, out] (y = x @ W + b)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.matmul(x, self.weight) + self.bias


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


class Attention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.head_dim = n_embd // n_head
        self.c_attn = Conv1D(n_embd, 3 * n_embd)
        self.c_proj = Conv1D(n_embd, n_embd)

    def heads(self, x):
        b, t, _ = x.shape
        return x.reshape(b, t, self.n_head, self.head_dim).transpose(1, 2)

    def qkv(self, x):
        q, k, v = self.c_attn(x).split(x.shape[-1], dim=2)
        return self.heads(q), self.heads(k), self.heads(v)

    def attend(self, q, k, v, allowed):
        """Attention of [b, h, t, d] queries, before the output projection: [b, t, h * d]."""
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = torch.where(allowed, scores, torch.full_like(scores, MASKED))
        out = torch.matmul(torch.softmax(scores, dim=-1), v)
        b, h, t, d = out.shape
        return out.transpose(1, 2).reshape(b, t, h * d)

    def attend_paged(self, q, k_past, v_past, k, v, allowed):
        """As attend over the keys [k_past, k] and values [v_past, v], without concatenating them:
        the past is the large tensor (every row's gathered blocks), and a copy of it per layer
        costs more than the attention's arithmetic on a CPU. Only the scores are joined."""
        scale = math.sqrt(self.head_dim)
        scores = torch.cat([torch.matmul(q, k_past.transpose(-1, -2)),
                            torch.matmul(q, k.transpose(-1, -2))], dim=-1) / scale
        scores = torch.where(allowed, scores, torch.full_like(scores, MASKED))
        p = torch.softmax(scores, dim=-1)
        past = k_past.shape[2]
        out = torch.matmul(p[..., :past], v_past) + torch.matmul(p[..., past:], v)
        b, h, t, d = out.shape
        return out.transpose(1, 2).reshape(b, t, h * d)


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, eps=1e-5)
        self.attn = Attention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd, eps=1e-5)
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(n_embd, 4 * n_embd)
        self.mlp.c_proj = Conv1D(4 * n_embd, n_embd)

    def mlp_forward(self, x):
        return self.mlp.c_proj(gelu(self.mlp.c_fc(x)))


class Transformer(nn.Module):
    def __init__(self, n_layer, n_head, n_embd, n_ctx):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, n_embd)
        self.wpe = nn.Embedding(n_ctx, n_embd)
        self.h = nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-5)


class Gpt2(nn.Module):
    def __init__(self, n_layer, n_head, n_embd, n_ctx):
        super().__init__()
        self.transformer = Transformer(n_layer, n_head, n_embd, n_ctx)

    def lm_head(self, x):
        # Tied to the token embedding, as in GPT-2: one copy of the largest matrix in the file.
        return torch.matmul(x, self.transformer.wte.weight.t())

    def reference(self, ids):
        """Plain causal forward over a whole sequence, no cache: what the goldens come from."""
        t = ids.shape[1]
        x = self.transformer.wte(ids) + self.transformer.wpe(torch.arange(t)[None, :])
        allowed = torch.tril(torch.ones(t, t, dtype=torch.bool))[None, None]
        for block in self.transformer.h:
            q, k, v = block.attn.qkv(block.ln_1(x))
            x = x + block.attn.c_proj(block.attn.attend(q, k, v, allowed))
            x = x + block.mlp_forward(block.ln_2(x))
        return self.lm_head(self.transformer.ln_f(x))

    def forward(self, decode_ids, decode_positions, decode_block_tables, decode_mask,
                input_ids, position_ids, block_tables, attention_mask, logits_index, *caches):
        wte, wpe = self.transformer.wte, self.transformer.wpe
        n_dec = decode_ids.shape[0]
        b, t = input_ids.shape
        e = wte.weight.shape[1]
        # Every token of the step in one [n_dec + b*t, E] matrix: the dense layers read the
        # weights once for both groups.
        x = torch.cat([wte(decode_ids) + wpe(decode_positions),
                       (wte(input_ids) + wpe(position_ids)).reshape(b * t, e)], 0)
        past = attention_mask.shape[1] - t
        keys = torch.arange(attention_mask.shape[1])
        causal = keys[None, :] <= torch.arange(t)[:, None] + past  # [T, past+T]
        allowed = (causal[None] & (attention_mask[:, None, :] > 0))[:, None]  # [B,1,T,past+T]
        allowed_dec = (decode_mask > 0)[:, None, None, :]  # [D,1,1,ND*BS+1]
        new_kv, new_dec_kv = [], []
        for i, block in enumerate(self.transformer.h):
            attn = block.attn
            qkv = attn.c_attn(block.ln_1(x))
            qd, kd, vd = (attn.heads(z[:, None]) for z in qkv[:n_dec].split(e, dim=1))
            qc, kc, vc = qkv[n_dec:].reshape(b, t, 3 * e).split(e, dim=2)
            qc, kc, vc = attn.heads(qc), attn.heads(kc), attn.heads(vc)
            kd_past = gather(caches[2 * i], decode_block_tables)
            vd_past = gather(caches[2 * i + 1], decode_block_tables)
            kc_past = gather(caches[2 * i], block_tables)
            vc_past = gather(caches[2 * i + 1], block_tables)
            out = torch.cat(
                [attn.attend_paged(qd, kd_past, vd_past, kd, vd, allowed_dec).reshape(n_dec, e),
                 attn.attend_paged(qc, kc_past, vc_past, kc, vc, allowed).reshape(b * t, e)], 0)
            x = x + attn.c_proj(out)
            x = x + block.mlp_forward(block.ln_2(x))
            new_dec_kv += [kd[:, :, 0], vd[:, :, 0]]
            new_kv += [kc, vc]
        x = self.transformer.ln_f(x)
        xc = x[n_dec:].reshape(b, t, e)
        last = torch.gather(xc, 1, logits_index[:, None, None].expand(b, 1, e))[:, 0]
        return (self.lm_head(torch.cat([x[:n_dec], last], 0)), *new_dec_kv, *new_kv)


def gather(pool, block_tables):
    """[NBLK,H,BS,D] pool and [B,NB] tables -> [B,H,NB*BS,D] past of each sequence.

    One copy: the pool is read as [NBLK*H, BS, D] rows (a reshape, no copy) and gathered by the
    index block * H + head, laid out [B, H, NB], so the result is already in attention's layout
    (gathering [B, NB, H, BS, D] and permuting it would copy every row's past a second time)."""
    nblk, h, bs, d = pool.shape
    b, nb = block_tables.shape
    rows = block_tables[:, None, :] * h + torch.arange(h)[None, :, None]  # [B, H, NB]
    return pool.reshape(nblk * h, bs, d)[rows].reshape(b, h, nb * bs, d)


def init(model, seed):
    # Wider than GPT-2's own init (0.02): with small weights a random model's residual stream is
    # its input embedding, so the tied head echoes the input token forever. Scaled by fan-in, the
    # blocks and positions move the stream and greedy continuations vary, with clear margins
    # between the top two logits so that torch and ONNX Runtime agree despite rounding.
    torch.manual_seed(seed)
    for name, p in model.named_parameters():
        if ".ln_" in name and name.endswith("weight"):
            nn.init.ones_(p)
        elif name.endswith("bias"):
            nn.init.zeros_(p)
        elif "wte" in name:
            nn.init.normal_(p, std=0.1)
        elif "wpe" in name:
            nn.init.normal_(p, std=0.5)
        else:
            nn.init.normal_(p, std=2.0 / math.sqrt(p.shape[0]))


def export(model, size, path):
    n_layer, n_head = size["n_layer"], size["n_head"]
    d = size["n_embd"] // n_head
    bs, nblk = 4, 6
    inputs = (
        torch.tensor([31, 32]),
        torch.tensor([9, 2]),
        torch.tensor([[4, 5, 1], [2, 0, 0]]),
        torch.ones(2, 3 * bs + 1, dtype=torch.int64),
        torch.tensor([[11, 12, 13], [21, 22, 0]]),
        torch.tensor([[5, 6, 7], [4, 5, 0]]),
        torch.tensor([[1, 2], [3, 0]]),
        torch.ones(2, 2 * bs + 3, dtype=torch.int64),
        torch.tensor([2, 1]),
        *[torch.randn(nblk, n_head, bs, d) for _ in range(2 * n_layer)],
    )
    cache_names = [f"{kind}_cache.{i}" for i in range(n_layer) for kind in ("key", "value")]
    dec_out_names = [f"decode_{kind}.{i}" for i in range(n_layer) for kind in ("key", "value")]
    out_names = [f"{kind}.{i}" for i in range(n_layer) for kind in ("key", "value")]
    in_names = ["decode_ids", "decode_positions", "decode_block_tables", "decode_mask",
                "input_ids", "position_ids", "block_tables", "attention_mask", "logits_index"]
    axes = {
        "decode_ids": {0: "decoding"},
        "decode_positions": {0: "decoding"},
        "decode_block_tables": {0: "decoding", 1: "decode_blocks"},
        "decode_mask": {0: "decoding", 1: "decode_keys"},
        "input_ids": {0: "batch", 1: "tokens"},
        "position_ids": {0: "batch", 1: "tokens"},
        "block_tables": {0: "batch", 1: "blocks"},
        "attention_mask": {0: "batch", 1: "keys"},
        "logits_index": {0: "batch"},
        "logits": {0: "rows"},
    }
    for name in cache_names:
        axes[name] = {0: "pool_blocks", 2: "block_size"}
    for name in dec_out_names:
        axes[name] = {0: "decoding"}
    for name in out_names:
        axes[name] = {0: "batch", 2: "tokens"}
    torch.onnx.export(
        model,
        inputs,
        path,
        input_names=in_names + cache_names,
        output_names=["logits"] + dec_out_names + out_names,
        dynamic_axes=axes,
        opset_version=17,
        # Folding would store the tied embedding twice (once transposed for the head).
        do_constant_folding=False,
    )


def goldens(model, prompts, steps):
    rows = []
    with torch.no_grad():
        for p in prompts:
            ids = list(p["ids"])
            out, margins = [], []
            for _ in range(steps):
                logits = model.reference(torch.tensor([ids]))[0, -1]
                top = torch.topk(logits, 2).values
                margins.append(float(top[0] - top[1]))
                nxt = int(torch.argmax(logits))
                out.append(nxt)
                ids.append(nxt)
            rows.append({"text": p["text"], "prompt": p["ids"], "greedy": out,
                         "min_margin": min(margins)})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("size", choices=SIZES)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=29)
    ap.add_argument("--weights", help="a GPT-2 state dict (Hugging Face names) to load instead")
    ap.add_argument("--heads", type=int, help="attention heads of the --weights checkpoint")
    ap.add_argument("--tokens", help="gpt2_tokens.js output: prompts for golden continuations")
    ap.add_argument("--steps", type=int, default=24)
    args = ap.parse_args()

    size = dict(SIZES[args.size])
    state = None
    if args.weights:
        state = torch.load(args.weights, map_location="cpu")
        # GPT2LMHeadModel or GPT2Model names; the causal-mask buffers and the tied head are not
        # parameters here.
        state = {k if k.startswith("transformer.") else "transformer." + k: v
                 for k, v in state.items()
                 if not k.endswith((".attn.bias", ".attn.masked_bias")) and "lm_head" not in k}
        size["n_embd"] = state["transformer.wte.weight"].shape[1]
        size["n_ctx"] = state["transformer.wpe.weight"].shape[0]
        size["n_layer"] = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("transformer.h."))
        size["n_head"] = args.heads or size["n_head"]
    model = Gpt2(**size)
    if state is not None:
        model.load_state_dict(state, strict=True)
    else:
        init(model, args.seed)
    model.eval()

    os.makedirs(os.path.join(args.out, "1"), exist_ok=True)
    export(model, size, os.path.join(args.out, "1", "model.onnx"))
    name = os.path.basename(os.path.normpath(args.out))
    with open(os.path.join(args.out, "model.yaml"), "w") as f:
        f.write(f"name: {name}\nengine: onnxruntime\ntask: text-generation\n"
                f"tokenizer: gpt2\n"
                f"generation: {{contextLength: {size['n_ctx']}}}\n")
    if args.tokens:
        with open(args.tokens) as f:
            prompts = [p for p in json.load(f) if 0 < len(p["ids"]) <= size["n_ctx"] // 2]
        os.makedirs(os.path.join(args.out, "golden"), exist_ok=True)
        rows = goldens(model, prompts, args.steps)
        with open(os.path.join(args.out, "golden", "greedy.json"), "w") as f:
            f.write("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
        shutil.copy(args.tokens, os.path.join(args.out, "golden", "tokens.json"))
        print("smallest greedy margin:", min(r["min_margin"] for r in rows))
    print("wrote", args.out, sum(p.numel() for p in model.parameters()), "parameters")


if __name__ == "__main__":
    main()
