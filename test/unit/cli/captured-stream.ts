// A stream standing in for stdout or stderr, keeping everything written to it as text.
import { PassThrough } from 'node:stream';

export interface CapturedStream {
  stream: PassThrough;
  text(): string;
}

export function capturedStream(): CapturedStream {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}
