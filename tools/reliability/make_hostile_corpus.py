#!/usr/bin/env python3
"""Writes the hostile-input corpus: raw HTTP/1.x requests that a correct server answers with 4xx.

Each line of cli/src/test/resources/hostile/corpus.jsonl is {"name", "request" (base64 raw bytes)}.
Requests target the example model "mlp" (input 'features' FP32 [-1,16], output 'scores'), and the
text-generation example "gpt2-tiny" (context 128) over the OpenAI and Triton generate APIs.
The placeholder HOST is replaced by the test with the gateway's address. Deterministic: no randomness.
Left out, because Vert.x's HTTP/1 codec handles them before any Kairos code runs (see
docs/RELIABILITY.md): an unknown HTTP version (answered 501) and a corrupt chunk size (connection
closed without an answer).
    python3 tools/reliability/make_hostile_corpus.py
"""
import base64
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "cli", "src", "test", "resources", "hostile", "corpus.jsonl")
INFER = "/v2/models/mlp/infer"
GOOD = {"inputs": [{"name": "features", "shape": [1, 16], "datatype": "FP32", "data": [0.5] * 16}]}
cases = []


def http(method, path, body=b"", headers=None, version="HTTP/1.1", content_length=True):
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = [f"{method} {path} {version}", "Host: HOST"]
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    for k, v in hdrs.items():
        if v is not None:
            lines.append(f"{k}: {v}")
    if content_length and "Content-Length" not in hdrs and "Transfer-Encoding" not in hdrs:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def add(name, raw):
    cases.append({"name": name, "request": base64.b64encode(raw).decode()})


def infer(name, body, **kw):
    add(name, http("POST", kw.pop("path", INFER), body, **kw))


def tensor(shape=(1, 16), datatype="FP32", data=None, name="features", extra=None):
    t = {"name": name, "shape": list(shape), "datatype": datatype, "data": data if data is not None else [0.5] * 16}
    if extra:
        t.update(extra)
    return t


def req(*tensors, **top):
    d = {"inputs": list(tensors)}
    d.update(top)
    return json.dumps(d)


good = json.dumps(GOOD)
# 1. malformed and truncated JSON
for cut in range(1, len(good), max(1, len(good) // 40)):
    infer(f"truncated at {cut}", good[:cut])
for name, body in [("empty body", ""), ("whitespace", "   \n"), ("null", "null"), ("array", "[]"), ("number", "42"),
                   ("string", '"hi"'), ("empty object", "{}"), ("unclosed string", '{"inputs": [{"name": "feat'),
                   ("single quotes", "{'inputs': []}"), ("trailing comma", good[:-2] + ",]}"),
                   ("comment", "/* x */" + good), ("two objects", good + good), ("bare word", "inputs"),
                   ("control char in string", '{"id": "a\x01b", "inputs": []}'), ("bad escape", '{"id": "\\q", "inputs": []}'),
                   ("lone surrogate escape", '{"id": "\\ud800", "inputs": [' + json.dumps(tensor(shape=(1, 15), data=[1] * 15)) + "]}"),
                   ("invalid utf-8", b'{"id": "\xff\xfe", "inputs": [1]}'), ("bom then garbage", b"\xef\xbb\xbf{]"),
                   ("inputs is object", '{"inputs": {}}'), ("inputs is null", '{"inputs": null}'), ("inputs empty", '{"inputs": []}'),
                   ("input is array", '{"inputs": [[1,2]]}'), ("input is string", '{"inputs": ["features"]}')]:
    infer(name, body)
# 2. deep nesting
for depth in (40, 1000, 100000):
    infer(f"data nested {depth} deep", req(tensor()).replace("[0.5, 0.5", "[" * depth + "0.5" + "]" * depth + ", 0.5", 1))
    infer(f"parameters nested {depth} deep", '{"parameters": {"a": ' + "[" * depth + "]" * depth + '}, "inputs": []}')
infer("unknown field nested deep", '{"x": ' + "{\"a\":" * 5000 + "1" + "}" * 5000 + ', "inputs": []}')
# 3. huge numbers and non-finite values
for v in ["1e39", "-1e39", "1e400", "-1e400", "1" + "0" * 400, "123456789012345678901234567890e999"]:
    infer(f"FP32 value {v[:20]}", req(tensor(data=None)).replace("0.5", v, 1))
for dt, v in [("INT32", "2147483648"), ("INT32", "-2147483649"), ("INT64", "9223372036854775808"), ("UINT8", "-1"),
              ("UINT8", "256"), ("INT8", "128"), ("UINT64", "18446744073709551616"), ("UINT16", "65536"), ("INT16", "-32769"),
              ("UINT32", "4294967296"), ("FP16", "70000"), ("INT32", "1" + "0" * 1200), ("FP64", "1e309")]:
    infer(f"{dt} out of range {v[:20]}", req(tensor(datatype=dt, data=[0] * 16)).replace("[0,", "[" + v + ",", 1))
for lit in ["NaN", "Infinity", "-Infinity", "+1", ".5", "1.", "01", "1e", "--1", "0x10", "1_000", "\"NaN\""]:
    infer(f"literal {lit}", req(tensor()).replace("0.5", lit, 1))
# 4. wrong datatypes and element types
for dt in ["FP8", "FLOAT", "fp", "", "STRING", "INT128", None]:
    t = tensor(datatype=dt if dt is not None else "FP32")
    if dt is None:
        del t["datatype"]
    infer(f"datatype {dt}", req(t))
for dt in ["FP64", "INT32", "INT64", "BOOL", "BYTES", "FP16", "UINT8"]:
    infer(f"signature datatype mismatch {dt}", req(tensor(datatype=dt, data=[1] * 16 if dt != "BOOL" else [True] * 16) if dt != "BYTES" else tensor(datatype="BYTES", data=["a"] * 16)))
for v in ['"a"', "true", "null", "{}", "[1]", '"0.5"']:
    infer(f"element {v}", req(tensor()).replace("0.5", v, 1))
infer("float in INT32", req(tensor(datatype="INT32", data=[1.5] + [1] * 15)))
infer("bool in FP32", req(tensor(data=[True] * 16)))
infer("number in BYTES", req(tensor(datatype="BYTES", data=[1] * 16)))
infer("number in BOOL", req(tensor(datatype="BOOL", data=[1] * 16)))
# 5. shape and element-count mismatches
for shape, n in [((1, 16), 15), ((1, 16), 17), ((1, 16), 0), ((2, 16), 16), ((1, 15), 15), ((1, 17), 17), ((16,), 16),
                 ((1, 1, 16), 16), ((), 1), ((0, 16), 16), ((1, 16), 32), ((4, 4), 16), ((1, 16, 1), 16), ((10 ** 12, 16), 16),
                 ((2 ** 62, 4), 16), ((1, -16), 16), ((1, 16.0), 16), ((1, "16"), 16)]:
    infer(f"shape {shape} with {n} elements", req(tensor(shape=shape, data=[0.5] * n)))
infer("shape missing", req({"name": "features", "datatype": "FP32", "data": [0.5] * 16}))
infer("shape null", req(tensor(extra={"shape": None})))
infer("shape 40 dims", req(tensor(shape=[1] * 40, data=[0.5])))
infer("data missing", req({"name": "features", "shape": [1, 16], "datatype": "FP32"}))
infer("data null", req(tensor(extra={"data": None})))
infer("name missing", req({"shape": [1, 16], "datatype": "FP32", "data": [0.5] * 16}))
infer("name is number", req(tensor(extra={"name": 7})))
infer("unknown input", req(tensor(name="nope")))
infer("duplicate input", req(tensor(), tensor()))
infer("extra input", req(tensor(), tensor(name="extra")))
infer("unknown requested output", req(tensor(), outputs=[{"name": "nope"}]))
infer("output without name", req(tensor(), outputs=[{}]))
infer("parameters not object", req(tensor(), parameters=[1, 2]))
infer("input parameters not object", req(tensor(extra={"parameters": "x"})))
infer("id is number", req(tensor(), id=5))
# 6. binary extension lies
binbody = json.dumps({"inputs": [{"name": "features", "shape": [1, 16], "datatype": "FP32", "parameters": {"binary_data_size": 64}}]}).encode()
payload = b"\x00\x00\x00\x3f" * 16
for name, hlen, body in [("header length beyond body", len(binbody) + 100, binbody + payload),
                         ("header length negative", -1, binbody + payload), ("header length text", "abc", binbody + payload),
                         ("header length splits json", 10, binbody + payload), ("binary data short", len(binbody), binbody + payload[:-4]),
                         ("binary data long", len(binbody), binbody + payload + b"xxxx"), ("no binary section", len(binbody), binbody),
                         ("header length huge", 2 ** 40, binbody + payload), ("header length zero", 0, binbody + payload)]:
    infer(f"binary: {name}", body, headers={"Inference-Header-Content-Length": str(hlen), "Content-Type": "application/octet-stream"})
for size in [-64, 63, 65, 1.5, "64", None]:
    j = json.dumps({"inputs": [{"name": "features", "shape": [1, 16], "datatype": "FP32", "parameters": {"binary_data_size": size}}]}).encode()
    infer(f"binary: binary_data_size {size}", j + payload, headers={"Inference-Header-Content-Length": str(len(j))})
both = json.dumps({"inputs": [{"name": "features", "shape": [1, 16], "datatype": "FP32", "data": [0.5] * 16, "parameters": {"binary_data_size": 64}}]}).encode()
infer("binary: data and binary_data_size", both + payload, headers={"Inference-Header-Content-Length": str(len(both))})
bytesj = json.dumps({"inputs": [{"name": "features", "shape": [1, 2], "datatype": "BYTES", "parameters": {"binary_data_size": 8}}]}).encode()
infer("binary: BYTES length prefix overruns", bytesj + b"\xff\x00\x00\x00abcd", headers={"Inference-Header-Content-Length": str(len(bytesj))})
# 7. oversized bodies and headers
infer("declared body over limit", good, headers={"Content-Length": str(1 << 30)}, content_length=False)
add("header of 64 KiB", http("POST", INFER, good, headers={"X-Big": "a" * 65536}))
add("many headers", http("POST", INFER, good, headers={f"X-H{i}": "v" * 100 for i in range(400)}))
add("request line of 64 KiB", http("GET", "/v2/models/" + "m" * 65536, b""))
# 8. unicode and path tricks in model names and versions
for path in ["/v2/models/%2e%2e/infer", "/v2/models/..%2f..%2fetc%2fpasswd/infer", "/v2/models/../infer", "/v2/models/./infer",
             "/v2/models/mlp%00/infer", "/v2/models/m%C3%BCnicode/infer", "/v2/models/ünicode/infer", "/v2/models//infer",
             "/v2/models/" + "x" * 300 + "/infer", "/v2/models/mlp/versions/-1/infer", "/v2/models/mlp/versions/%2e%2e/infer",
             "/v2/models/mlp/versions//infer", "/v2/models/mlp/versions/1.0/../../../infer", "/v2/models/mlp%2Finfer",
             "/v2/models/mlp/infer/../../other/infer", "/v2/models/mlp/versions/99/infer", "/v2/models/unknown/infer",
             "/v2/models/.hidden/infer", "/v2/models/mlp;jsessionid=1/infer", "/v2/models/mlp%20/infer", "/v2/models/%/infer",
             "/v2/models/mlp/versions/1%2F..%2F2/infer", "/v2/models/MLP/infer", "/v2/models/mlp\\..\\x/infer",
             "/v2/models/-mlp/infer", "/v3/models/mlp/infer", "/v2/modelz/mlp/infer", "/v2/models/mlp/inferx", "//v2/models/mlp/infer"]:
        infer(f"path {path[:60]}", good, path=path)
# 9. methods and content types
for method in ["GET", "PUT", "DELETE", "PATCH"]:
    add(f"{method} on infer", http(method, INFER, good if method != "GET" else b""))
for ct in ["image/png", "multipart/form-data; boundary=x", "text/xml", "application/xml", "audio/wav", "application/pdf"]:
    infer(f"content type {ct}", good, headers={"Content-Type": ct})
# 10. HTTP oddities
add("HTTP/1.0 bad json", http("POST", INFER, "{", version="HTTP/1.0"))
add("HTTP/1.0 no length", http("POST", INFER, "{\"inputs\": [", version="HTTP/1.0", content_length=False))
add("garbage request line", b"GARBAGE\r\n\r\n")
add("no http version", b"POST " + INFER.encode() + b"\r\nHost: x\r\n\r\n")
add("lowercase method", http("post", INFER, good))
add("chunked bad json", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\n{\"i\r\n0\r\n\r\n")
add("content-length and chunked", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\n{\r\n0\r\n\r\n")
add("two content-lengths", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
add("negative content-length", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n{}")
add("content-length text", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\nConnection: close\r\n\r\n{}")
add("header without colon", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nBadHeader\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
add("space before colon", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\nConnection: close\r\n\r\n{}")
add("obs-fold header", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
pipelined = http("POST", INFER, "{").replace(b"Connection: close\r\n", b"") + http("POST", INFER, "[")
add("pipelined bad requests", pipelined)
add("pipelined bad then good", http("POST", INFER, "nope").replace(b"Connection: close\r\n", b"") + http("POST", INFER, good))

# 11. audit for issue 10: more HTTP/1.0 and pipelining oddities, unicode tricks in names and versions,
#     KServe v1 bodies
add("HTTP/1.0 keep-alive pipelined bad twice",
    http("POST", INFER, "{", version="HTTP/1.0").replace(b"Connection: close", b"Connection: keep-alive") + http("POST", INFER, "]", version="HTTP/1.0"))
add("HTTP/1.0 chunked body", b"POST " + INFER.encode() + b" HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n0\r\n\r\n")
add("HTTP/1.0 no host bad json", b"POST " + INFER.encode() + b" HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n{")
add("HTTP/1.0 GET unknown model", http("GET", "/v2/models/nope", b"", version="HTTP/1.0"))
add("HTTP/1.1 expect 100-continue bad json", http("POST", INFER, "{", headers={"Expect": "100-continue"}))
add("expect unknown bad json", http("POST", INFER, "{", headers={"Expect": "something-else"}))
add("absolute-form URI bad json", http("POST", "http://HOST" + INFER, "{"))
add("pipelined three different mistakes",
    http("POST", INFER, "{").replace(b"Connection: close\r\n", b"") + http("POST", "/v2/models/nope/infer", good).replace(b"Connection: close\r\n", b"") + http("PUT", INFER, good))
add("pipelined bad then half a request", http("POST", INFER, "[").replace(b"Connection: close\r\n", b"") + b"POST " + INFER.encode() + b" HTTP/1.1\r\nContent-Le")
add("pipelined bad with body longer than declared", http("POST", INFER, "{", headers={"Content-Length": "1"}, content_length=False).replace(b"Connection: close\r\n", b"") + b"GARBAGE AFTER THE BODY\r\n\r\n")
smuggled = b"GPOST / HTTP/1.1\r\nHost: x\r\n\r\n"
add("TE.CL smuggling shape", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
    + b"%x\r\n" % len(smuggled) + smuggled + b"\r\n0\r\n\r\n")
add("transfer-encoding gzip then chunked", b"POST " + INFER.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n1\r\n{\r\n0\r\n\r\n")
add("content-encoding gzip of plain json", http("POST", INFER, "{", headers={"Content-Encoding": "gzip"}))
for path in ["/v2/models/%E2%80%AEmlp/infer", "/v2/models/ml%E2%80%8Dp/infer", "/v2/models/ml%D1%80/infer",
             "/v2/models/%EF%BD%8D%EF%BD%8C%EF%BD%90/infer", "/v2/models/%C0%AE%C0%AE/infer", "/v2/models/%C0%AF/infer",
             "/v2/models/mlp%0d%0aX-Injected:%201/infer", "/v2/models/%ff%fe/infer", "/v2/models/mlp%09/infer",
             "/v2/models/mlp/versions/%EF%BC%91/infer", "/v2/models/mlp/versions/1%00/infer",
             "/v2/models/mlp/versions/99999999999999999999/infer", "/v2/models/mlp/versions/0x1/infer",
             "/v2/models/mlp/versions/+1/infer", "/v2/models/mlp/versions/1e0/infer", "/v2/models/mlp/versions/%E2%80%8B1/infer",
             "/v2/models/mlp/versions/1%2e0/infer", "/v2/models/mlp/versions/ 1/infer"]:
    infer(f"path {path[:60]}", good, path=path)
for path in ["/v2/models/%2e%2e", "/v2/models/%2e%2e/ready", "/v2/models/mlp/versions/%2e%2e/ready", "/v2/models/%E2%80%AEmlp/ready"]:
    add(f"GET {path}", http("GET", path, b""))
for name, body in [("v1 instances string", '{"instances": "x"}'), ("v1 instances wrong width", '{"instances": [[1, 2]]}'),
                   ("v1 no instances", "{}"), ("v1 instances ragged", '{"instances": [[' + ",".join(["1"] * 16) + '], [1]]}'),
                   ("v1 instances NaN", '{"instances": [[NaN' + ",1" * 15 + ']]}'), ("v1 truncated", '{"instances": [[1,')]:
    infer(name, body, path="/v1/models/mlp:predict")
infer("v1 path trick", '{"instances": []}', path="/v1/models/..%2fmlp:predict")

# 9. the generative APIs: OpenAI bodies (the gateway reads "model" from them) and Triton's generate
COMPLETIONS, CHAT = "/v1/completions", "/v1/chat/completions"
GEN, GEN_STREAM = "/v2/models/gpt2-tiny/generate", "/v2/models/gpt2-tiny/generate_stream"
for name, body in [("no model", '{"prompt": "hi"}'), ("model number", '{"model": 7, "prompt": "hi"}'),
                   ("model null", '{"model": null}'), ("model array", '{"model": ["gpt2-tiny"]}'),
                   ("model object", '{"model": {"name": "gpt2-tiny"}}'), ("body array", '["gpt2-tiny"]'),
                   ("body string", '"gpt2-tiny"'), ("empty body", ""), ("truncated", '{"model": "gpt2-tiny", "prompt": "h'),
                   ("trailing garbage", '{"model": "gpt2-tiny", "prompt": "hi"} x'),
                   ("deep nesting", '{"model": "gpt2-tiny", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
                   ("model path trick", '{"model": "../gpt2-tiny", "prompt": "hi"}'),
                   ("model with slash", '{"model": "gpt2-tiny/1", "prompt": "hi"}'),
                   ("model unicode", '{"model": "gpt2-t\u0131ny", "prompt": "hi"}'),
                   ("model 300 chars", '{"model": "' + "g" * 300 + '", "prompt": "hi"}'),
                   ("unknown model", '{"model": "nope", "prompt": "hi"}'),
                   ("tensor model", '{"model": "mlp", "prompt": "hi"}'),
                   ("prompt over the context", '{"model": "gpt2-tiny", "prompt": "' + "hello " * 400 + '"}'),
                   ("max_tokens over the context", '{"model": "gpt2-tiny", "prompt": "hi", "max_tokens": 100000}'),
                   ("max_tokens negative", '{"model": "gpt2-tiny", "prompt": "hi", "max_tokens": -1}'),
                   ("max_tokens string", '{"model": "gpt2-tiny", "prompt": "hi", "max_tokens": "5"}'),
                   ("max_tokens huge", '{"model": "gpt2-tiny", "prompt": "hi", "max_tokens": 1e300}'),
                   ("temperature negative", '{"model": "gpt2-tiny", "prompt": "hi", "temperature": -1}'),
                   ("temperature NaN", '{"model": "gpt2-tiny", "prompt": "hi", "temperature": NaN}'),
                   ("top_p zero", '{"model": "gpt2-tiny", "prompt": "hi", "top_p": 0}'),
                   ("top_p over one", '{"model": "gpt2-tiny", "prompt": "hi", "top_p": 1.5}'),
                   ("top_k negative", '{"model": "gpt2-tiny", "prompt": "hi", "top_k": -3}'),
                   ("seed string", '{"model": "gpt2-tiny", "prompt": "hi", "seed": "x"}'),
                   ("stop number", '{"model": "gpt2-tiny", "prompt": "hi", "stop": 5}'),
                   ("stream string", '{"model": "gpt2-tiny", "prompt": "hi", "stream": "yes", "max_tokens": 2}'),
                   ("prompt number", '{"model": "gpt2-tiny", "prompt": 5}'),
                   ("prompt lone surrogate", '{"model": "gpt2-tiny", "prompt": "\\ud800", "max_tokens": 100000}'),
                   ("stream with bad temperature", '{"model": "gpt2-tiny", "prompt": "hi", "stream": true, "temperature": -2}')]:
    infer(f"completions {name}", body, path=COMPLETIONS)
for name, body in [("no messages", '{"model": "gpt2-tiny"}'), ("empty messages", '{"model": "gpt2-tiny", "messages": []}'),
                   ("messages object", '{"model": "gpt2-tiny", "messages": {"role": "user"}}'),
                   ("unknown role", '{"model": "gpt2-tiny", "messages": [{"role": "wizard", "content": "hi"}]}'),
                   ("content number", '{"model": "gpt2-tiny", "messages": [{"role": "user", "content": 5}]}'),
                   ("no role", '{"model": "gpt2-tiny", "messages": [{"content": "hi"}]}'),
                   ("message string", '{"model": "gpt2-tiny", "messages": ["hi"]}'),
                   ("no model", '{"messages": [{"role": "user", "content": "hi"}]}'),
                   ("truncated", '{"model": "gpt2-tiny", "messages": [{"role": "us'),
                   ("stream bad top_p", '{"model": "gpt2-tiny", "stream": true, "top_p": -1, "messages": [{"role": "user", "content": "hi"}]}')]:
    infer(f"chat {name}", body, path=CHAT)
for path in [GEN, GEN_STREAM]:
    for name, body in [("no text_input", '{"parameters": {"max_tokens": 2}}'), ("text_input number", '{"text_input": 5}'),
                       ("parameters string", '{"text_input": "hi", "parameters": "x"}'),
                       ("max_tokens negative", '{"text_input": "hi", "parameters": {"max_tokens": -1}}'),
                       ("temperature negative", '{"text_input": "hi", "temperature": -1}'),
                       ("truncated", '{"text_input": "h'), ("empty body", ""), ("body array", "[]")]:
        infer(f"{path.rsplit('/', 1)[1]} {name}", body, path=path)
infer("generate on a tensor model", '{"text_input": "hi"}', path="/v2/models/mlp/generate")
infer("generate_stream on an unknown model", '{"text_input": "hi"}', path="/v2/models/nope/generate_stream")
infer("generate path trick", '{"text_input": "hi"}', path="/v2/models/..%2fgpt2-tiny/generate")
add("GET /v1/completions", http("GET", COMPLETIONS, b""))
add("PUT /v1/chat/completions", http("PUT", CHAT, '{"model": "gpt2-tiny"}'))
add("POST /v1/models", http("POST", "/v1/models", "{}"))
add("completions chunked, no model", b"POST " + COMPLETIONS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
add("completions body over the limit", http("POST", COMPLETIONS, b"", headers={"Content-Length": "999999999999"}, content_length=False))

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    for c in cases:
        f.write(json.dumps(c) + "\n")
print(f"{len(cases)} cases written to {os.path.normpath(OUT)}")
