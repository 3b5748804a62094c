/** The README's first screen: what comes before its first rule (`---`). */
export const firstScreen = (readme: string): string => readme.split('\n---\n')[0] ?? '';

/** The shell blocks of the README's first screen, in order. */
export function firstScreenCommands(readme: string): string[] {
  return [...firstScreen(readme).matchAll(/```sh\n([\s\S]*?)\n```/g)].map((block) => block[1] ?? '');
}
