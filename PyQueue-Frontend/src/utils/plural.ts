/** "1 task" / "3 tasks"; irregular words pass their plural: plural(n, "process", "processes"). */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
