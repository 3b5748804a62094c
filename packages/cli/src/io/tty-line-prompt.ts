import { createInterface } from 'node:readline/promises';

/** Reads one line from the terminal, echoed as typed (a y/N answer, nothing secret). */
export async function promptLineOnTty(input: NodeJS.ReadStream, output: NodeJS.WritableStream, question: string): Promise<string> {
  const lines = createInterface({ input, output, terminal: true });
  try {
    return await lines.question(question);
  } finally {
    lines.close();
  }
}
