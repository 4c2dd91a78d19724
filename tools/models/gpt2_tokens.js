// Tokenizes strings with npm's gpt-3-encoder (a JavaScript port of OpenAI's GPT-2 encoder.py), an
// implementation independent of the JTokkit tokenizer the runtime uses. Its output is the golden
// file that GptTokenizerTest compares JTokkit against.
//   cd /tmp && npm pack gpt-3-encoder && tar xzf gpt-3-encoder-*.tgz
//   node tools/models/gpt2_tokens.js /tmp/package strings.json > tokens.json
const path = require('path');
const fs = require('fs');
const { encode } = require(path.resolve(process.argv[2], 'Encoder.js'));
const strings = JSON.parse(fs.readFileSync(process.argv[3], 'utf-8'));
const out = strings.map((text) => ({ text, ids: encode(text) }));
process.stdout.write('[\n' + out.map((o) => JSON.stringify(o)).join(',\n') + '\n]\n');
