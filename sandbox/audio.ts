/** Call recordings: every recording URL the Vapi fake hands out serves one second of silence as an 8 kHz mono WAV. */
import type { ServerResponse } from 'node:http';

const SILENT_WAV = (() => {
  const samples = 8000;
  const b = Buffer.alloc(44 + samples);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  b.fill(128, 44);
  return b;
})();

export const RECORDING_PATH = /^\/recordings\/[\w-]+\.wav$/;
export const recordingPath = (callId: string) => `/recordings/${callId}.wav`;

export function sendRecording(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': SILENT_WAV.length });
  res.end(SILENT_WAV);
}
