// The npm `vader-sentiment` package as an engine for the benchmarks: one input line in, its compound score
// out (one line each), so bench/nlp/throughput and bench/nlp/accuracy can run it beside `chorus analyze`.
// With --seconds, the scoring time without start-up goes to stderr as ENGINE_SCORE_SECONDS=<s>.
'use strict';
const path = require('path');
const vader = require(path.join(__dirname, '..', '..', 'node_modules', 'vader-sentiment'));

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('utf8');
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const start = process.hrtime.bigint();
  const out = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    out[i] = String(vader.SentimentIntensityAnalyzer.polarity_scores(lines[i]).compound);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  if (process.argv.includes('--seconds')) process.stderr.write(`ENGINE_SCORE_SECONDS=${seconds}\n`);
});
