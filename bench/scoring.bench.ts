/**
 * Scoring throughput: scoreConversation over a corpus of realistic clinic transcripts, next to a bare pass of one combined
 * keyword regex over the same lead lines (the floor any keyword scorer pays). Median of repeated runs.
 *
 *   npx tsx bench/scoring.bench.ts          (alone)
 *   npm run bench                            (with the other benches, through bench/run.ts)
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_KEYWORD_SETTINGS } from '../server/src/scoring/keywords.js';
import { keywordPattern, scoreConversation, type TranscriptLine } from '../server/src/scoring/score.js';
import { personalise, SCENARIOS } from '../sandbox/scenarios.js';
import { rng } from './support.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const CORPUS_SIZE = 2000;
const RUNS = 9;


const NAMES = ['Maria', 'James', 'Aisha', 'Chen', 'Olivia', 'Diego', 'Priya', 'Sam', 'Hannah', 'Tom'];
const EXTRA_LEAD_LINES = [
  'Sorry, can you repeat that? The line is a bit bad.',
  'My friend had it done at your clinic and loved the results.',
  "I'm at work right now so I only have a minute.",
  'Is parking available near the clinic?',
  'Do you have any reviews I can read online?',
  'How long does the swelling usually last?',
  "I'm not sure my husband will be happy about the price, to be honest.",
  'Could I bring my sister along to the consultation as well?',
  'What is the cancellation policy if something comes up?',
  'Honestly I have been thinking about it for years.',
];
const EXTRA_AGENT_LINES = [
  'Of course. Our booking team can also answer that by text.',
  'Absolutely, and we have a special on fillers this month.',
  'Great question. Most clients are back to normal the same day.',
  'We are open until 7pm on weekdays and 3pm on Saturdays.',
];

export function buildCorpus(size = CORPUS_SIZE): TranscriptLine[][] {
  const rand = rng(42);
  const scenarios = Object.values(SCENARIOS).flat();
  const corpus: TranscriptLine[][] = [];
  for (let i = 0; i < size; i++) {
    const s = scenarios[Math.floor(rand() * scenarios.length)]!;
    const name = NAMES[Math.floor(rand() * NAMES.length)]!;
    const lines: TranscriptLine[] = [{ role: 'system', text: 'You are Ava, the assistant of Glow Aesthetics.' }];
    for (const turn of s.turns) {
      lines.push({ role: turn.role === 'bot' ? 'agent' : 'lead', text: personalise(turn.text, name) });
      if (turn.role === 'user' && rand() < 0.35) {
        lines.push({ role: 'agent', text: EXTRA_AGENT_LINES[Math.floor(rand() * EXTRA_AGENT_LINES.length)]! });
        lines.push({ role: 'lead', text: EXTRA_LEAD_LINES[Math.floor(rand() * EXTRA_LEAD_LINES.length)]! });
      }
    }
    corpus.push(lines);
  }
  return corpus;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(fn: () => number): { ms: number; sink: number } {
  const t0 = process.hrtime.bigint();
  const sink = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, sink };
}

export default async function bench(report: Report): Promise<void> {
  const corpus = buildCorpus();
  const settings = DEFAULT_KEYWORD_SETTINGS;
  const all = [...settings.highValue, ...settings.medium, ...settings.urgency, ...settings.lowUrgency, ...settings.objections];
  const combined = new RegExp(keywordPattern(all)!, 'giu');
  const leadLines = corpus.map((t) => t.filter((l) => l.role === 'lead').map((l) => l.text.toLowerCase()));
  const leadLineCount = leadLines.reduce((n, l) => n + l.length, 0);

  const scoring = () => {
    let sum = 0;
    for (const t of corpus) sum += scoreConversation(t, settings)?.score ?? 0;
    return sum;
  };
  const bare = () => {
    let hits = 0;
    for (const lines of leadLines) for (const line of lines) hits += line.match(combined)?.length ?? 0;
    return hits;
  };

  // Warm up (JIT, regex compilation, the scorer's per-settings cache).
  scoring();
  bare();
  const scoringMs: number[] = [];
  const bareMs: number[] = [];
  let checksum = 0;
  for (let i = 0; i < RUNS; i++) {
    const a = time(scoring);
    const b = time(bare);
    scoringMs.push(a.ms);
    bareMs.push(b.ms);
    checksum += a.sink + b.sink;
  }
  const scoringRate = corpus.length / (median(scoringMs) / 1000);
  const bareRate = corpus.length / (median(bareMs) / 1000);
  report('scoring', [
    {
      variant: 'scoreConversation (keywords + negation + sentiment + breakdown)',
      transcripts: corpus.length,
      'lead lines': leadLineCount,
      'median ms/run': Number(median(scoringMs).toFixed(2)),
      'transcripts/s': Math.round(scoringRate),
    },
    {
      variant: 'bare combined keyword regex over lead lines',
      transcripts: corpus.length,
      'lead lines': leadLineCount,
      'median ms/run': Number(median(bareMs).toFixed(2)),
      'transcripts/s': Math.round(bareRate),
    },
    {
      variant: `ratio bare/scoring (runs: ${RUNS}, checksum ${checksum % 1000})`,
      transcripts: corpus.length,
      'lead lines': leadLineCount,
      'median ms/run': '',
      'transcripts/s': Number((bareRate / scoringRate).toFixed(2)),
    },
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bench((section, rows) => {
    console.log(`\n## ${section}`);
    console.table(rows);
  });
}
