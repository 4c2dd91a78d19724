#!/usr/bin/python3
"""What each mode of the goodput replay computes, from the trace's lengths alone (no model run):
the replay's first N requests with its scaling (prompt / PROMPT_DIV, output / OUTPUT_DIV, rounded
up), all queued (the saturated case: 8 requests/s), first come first served, with a batch cap.

- static batching: output tokens computed (every row of a group runs to the group's longest output)
  over useful ones, and prompt tokens computed (a group's prompts padded to its longest) over real;
- continuous batching: steps, mean rows per step, and the past keys its decode steps gather, over
  the real ones: one decode group is padded to its longest past (block-rounded), so a batch of
  mixed ages gathers its longest row's past for every row ("split" would be two groups).

Usage: padding.py [TRACE.csv] [N PROMPT_DIV OUTPUT_DIV]"""
import csv
import sys

trace = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/traces/azure-llm-2023-conv/conversation.csv"
n, pdiv, odiv = (int(x) for x in (sys.argv[2:5] or (96, 64, 2)))
rows = list(csv.reader(open(trace)))[1:n + 1]
prompts = [max(1, (int(r[1]) + pdiv - 1) // pdiv) for r in rows]
outputs = [max(1, (int(r[2]) + odiv - 1) // odiv) for r in rows]
block = 16


def padded(p):
    return (p + block - 1) // block * block


for cap in (16, 32):
    groups = [range(g, min(n, g + cap)) for g in range(0, n, cap)]
    computed = sum(len(g) * max(outputs[i] for i in g) for g in groups)
    prompt_computed = sum(len(g) * max(prompts[i] for i in g) for g in groups)
    waiting, running = list(range(n)), {}
    steps = rows_total = gathered = real = split = 0
    while waiting or running:
        while waiting and len(running) < cap:
            i = waiting.pop(0)
            running[i] = 0
        pasts = sorted(prompts[i] + running[i] for i in running)
        gathered += len(pasts) * padded(pasts[-1])
        real += sum(pasts)
        split += min(k * padded(pasts[k - 1]) + (len(pasts) - k) * padded(pasts[-1])
                     for k in range(1, len(pasts) + 1))
        steps += 1
        rows_total += len(pasts)
        for i in list(running):
            running[i] += 1
            if running[i] >= outputs[i]:
                del running[i]
    print("cap=%d static: output computed/useful %.2f, prompt computed/real %.2f, steps %d;"
          " continuous: steps %d, rows/step %.1f, decode keys gathered/real %.2f (split in two %.2f)"
          % (cap, computed / sum(outputs), prompt_computed / sum(prompts),
             sum(max(outputs[i] for i in g) for g in groups), steps, rows_total / steps,
             gathered / real, split / real))
