"""Top frames of a `jfr print --events jdk.ExecutionSample` dump (self, and total by package and
by method), and the top allocation sites of a jdk.ObjectAllocationSample dump."""
import re
import sys
from collections import Counter

def stacks(path):
    text = open(path).read()
    for ev in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>]+)\(.*?line:", ev, re.M)
        if frames:
            yield frames

self_, total, pkg = Counter(), Counter(), Counter()
n = 0
for fr in stacks(sys.argv[1]):
    n += 1
    self_[fr[0]] += 1
    for m in set(fr):
        total[m] += 1
    top = fr[0]
    pkg[".".join(top.split(".")[:3])] += 1
print(f"{n} samples")
print("\n## self (top 25)")
for m, c in self_.most_common(25):
    print(f"{100*c/n:5.1f}%  {m}")
print("\n## self by package (top 15)")
for m, c in pkg.most_common(15):
    print(f"{100*c/n:5.1f}%  {m}")
print("\n## total, kairos methods (top 20)")
for m, c in [x for x in total.most_common() if "kairos" in x[0]][:20]:
    print(f"{100*c/n:5.1f}%  {m}")
print("\n## total, all (top 40)")
for m, c in total.most_common(40):
    print(f"{100*c/n:5.1f}%  {m}")

if len(sys.argv) > 2:
    text = open(sys.argv[2]).read()
    by_site, by_class = Counter(), Counter()
    for ev in text.split("jdk.ObjectAllocationSample")[1:]:
        cls = re.search(r"objectClass = ([\w$.\[\]]+)", ev)
        w = re.search(r"weight = ([\d.]+) (\w+)", ev)
        if not cls or not w:
            continue
        mult = {"bytes": 1, "byte": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}.get(w.group(2), 1)
        weight = float(w.group(1)) * mult
        frames = re.findall(r"^\s+([\w$.<>]+)\(.*?line:", ev, re.M)
        by_class[cls.group(1)] += weight
        site = next((f for f in frames if not f.startswith(("java.", "jdk.", "sun."))), frames[0] if frames else "?")
        by_site[site] += weight
    tot = sum(by_class.values()) or 1
    print(f"\n## allocation by class (top 15), {tot/1e6:.0f} MB sampled-weight")
    for m, c in by_class.most_common(15):
        print(f"{100*c/tot:5.1f}%  {m}")
    print("\n## allocation by first non-JDK frame (top 20)")
    for m, c in by_site.most_common(20):
        print(f"{100*c/tot:5.1f}%  {m}")
